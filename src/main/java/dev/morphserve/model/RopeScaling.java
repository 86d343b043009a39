package dev.morphserve.model;

import dev.morphserve.gguf.GgufMetadata;
import java.util.List;

/**
 * How a model stretches RoPE past its training context, as llama.cpp applies it:
 * theta_i = pos * base^(-2i / ropeDim) / (linearFactor * frequencyFactors[i]).
 *
 * <pre>
 * linear (rope.scaling.type = linear): every frequency divided by rope.scaling.factor
 * llama3 (rope_freqs.weight [ropeDim / 2]): one divisor per rotated pair, written by the converter
 * </pre>
 *
 * @param linearFactor     1 when the model does not scale linearly
 * @param frequencyFactors empty, or one divisor per rotated pair (Llama 3.1's rope_freqs)
 */
public record RopeScaling(float linearFactor, List<Float> frequencyFactors) {
    public static final RopeScaling NONE = new RopeScaling(1f, List.of());

    public RopeScaling {
        if (!(linearFactor > 0) || Float.isInfinite(linearFactor)) {
            throw new IllegalArgumentException("invalid model config: rope scaling factor " + linearFactor + " must be positive");
        }
        frequencyFactors = List.copyOf(frequencyFactors);
    }

    /** The same scaling with the per-pair divisors of a {@code rope_freqs.weight} tensor. */
    public RopeScaling withFrequencyFactors(float[] factors) {
        Float[] boxed = new Float[factors.length];
        for (int i = 0; i < factors.length; i++) {
            if (!(factors[i] > 0)) {
                throw new IllegalArgumentException("invalid model: rope_freqs.weight[" + i + "] = " + factors[i]
                        + " is not a positive divisor");
            }
            boxed[i] = factors[i];
        }
        return new RopeScaling(linearFactor, List.of(boxed));
    }

    /** Divisor of pair {@code i}'s frequency. */
    float divisor(int i) {
        return frequencyFactors.isEmpty() ? linearFactor : linearFactor * frequencyFactors.get(i);
    }

    /**
     * Reads {@code <arch>.rope.scaling.type} (or the older {@code rope.scale_linear}); scaling types
     * that need more than a divisor per frequency (yarn, longrope) are refused by name.
     */
    static RopeScaling fromGguf(GgufMetadata m, String arch) {
        String type = m.findString(arch + ".rope.scaling.type").orElse("none");
        return switch (type) {
            case "none" -> m.has(arch + ".rope.scale_linear")
                    ? new RopeScaling(m.getFloat(arch + ".rope.scale_linear", 1f), List.of())
                    : NONE;
            case "linear" -> new RopeScaling(m.getFloat(arch + ".rope.scaling.factor", 1f), List.of());
            default -> throw new IllegalArgumentException("unsupported model: " + arch + ".rope.scaling.type = '" + type
                    + "' (supported: none, linear, and Llama 3's rope_freqs tensor)");
        };
    }
}
