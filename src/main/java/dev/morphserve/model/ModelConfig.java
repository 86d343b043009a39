package dev.morphserve.model;

import dev.morphserve.gguf.GgufMetadata;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvType;
import java.util.List;

/**
 * Llama-family hyper-parameters, read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param dim          embedding width (n_embd)
 * @param ffnDim       feed-forward width (n_ff)
 * @param numHeads     query heads
 * @param numKvHeads   key/value heads (grouped-query attention when fewer than numHeads)
 * @param ropeDim      leading elements of each head that RoPE rotates (usually headSize)
 * @param ropeScaling  frequency divisors (Llama 3.1's rope_freqs, linear scaling); {@link RopeScaling#NONE} if none
 */
public record ModelConfig(
        String architecture,
        int dim,
        int ffnDim,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeFreqBase,
        int ropeDim,
        RopeLayout ropeLayout,
        RopeScaling ropeScaling) {
    /** Architectures whose tensors and forward pass this engine implements (llama.cpp's names). */
    public static final List<String> ARCHITECTURES = List.of("llama", "qwen2");

    /** A model whose RoPE is not scaled. */
    public ModelConfig(String architecture, int dim, int ffnDim, int numLayers, int numHeads, int numKvHeads, int vocabSize,
            int contextLength, float rmsNormEps, float ropeFreqBase, int ropeDim, RopeLayout ropeLayout) {
        this(architecture, dim, ffnDim, numLayers, numHeads, numKvHeads, vocabSize, contextLength, rmsNormEps, ropeFreqBase,
                ropeDim, ropeLayout, RopeScaling.NONE);
    }

    public ModelConfig {
        require(dim > 0 && ffnDim > 0 && numLayers > 0 && numHeads > 0 && numKvHeads > 0, "dimensions must be positive");
        require(dim % numHeads == 0, "embedding_length " + dim + " is not a multiple of head_count " + numHeads);
        require(numHeads % numKvHeads == 0, "head_count " + numHeads + " is not a multiple of head_count_kv " + numKvHeads);
        require(ropeDim > 0 && ropeDim <= dim / numHeads && ropeDim % 2 == 0, "rope.dimension_count " + ropeDim + " invalid for head size " + dim / numHeads);
        require(contextLength > 0, "context_length must be positive");
        require(ropeFreqBase > 0, "rope.freq_base " + ropeFreqBase + " must be positive");
        require(ropeScaling.frequencyFactors().isEmpty() || ropeScaling.frequencyFactors().size() == ropeDim / 2,
                "rope_freqs has " + ropeScaling.frequencyFactors().size() + " factors, expected one per rotated pair ("
                        + ropeDim / 2 + ")");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model config: " + message);
        }
    }

    public int headSize() {
        return dim / numHeads;
    }

    /** Width of the K and V projections: numKvHeads * headSize. */
    public int kvDim() {
        return numKvHeads * headSize();
    }

    /** Query heads that share one KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /**
     * [ropeDim / 2] inverse frequency of each rotated pair: theta_i = pos / base^(2i / ropeDim), as
     * llama2.c computes it, divided by the pair's {@link RopeScaling} divisor (every backend rotates
     * with these same floats).
     */
    public float[] ropeInverseFrequencies() {
        float[] inverse = new float[ropeDim / 2];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = (float) (1.0 / Math.pow(ropeFreqBase, (2 * i) / (float) ropeDim) / ropeScaling.divisor(i));
        }
        return inverse;
    }

    /** The KV cache shape for this model with blocks of {@code blockSize} tokens of {@code type} elements. */
    public KvLayout kvLayout(int blockSize, KvType type) {
        return new KvLayout(numLayers, blockSize, kvDim(), type);
    }

    /**
     * Bytes of the activations and scratch a step of {@code tokensPerStep} tokens holds (float32):
     * per token the residual stream and its normed copy, q, attention output, k and v, the two FFN
     * halves, and logits. An estimate for the memory budget, the same for both backends.
     */
    public long activationBytes(int tokensPerStep) {
        long floatsPerToken = 4L * dim + 2L * kvDim() + 2L * ffnDim + vocabSize;
        return tokensPerStep * floatsPerToken * Float.BYTES;
    }

    public ModelConfig withContextLength(int positions) {
        return new ModelConfig(architecture, dim, ffnDim, numLayers, numHeads, numKvHeads, vocabSize, positions,
                rmsNormEps, ropeFreqBase, ropeDim, ropeLayout, ropeScaling);
    }

    /** The same model with Llama 3.1's per-pair RoPE divisors ({@code rope_freqs.weight}). */
    public ModelConfig withRopeFrequencyFactors(float[] factors) {
        return new ModelConfig(architecture, dim, ffnDim, numLayers, numHeads, numKvHeads, vocabSize, contextLength,
                rmsNormEps, ropeFreqBase, ropeDim, ropeLayout, ropeScaling.withFrequencyFactors(factors));
    }

    /** @throws IllegalArgumentException naming the architecture when this engine does not implement it */
    public static ModelConfig fromGguf(GgufMetadata m, int vocabSize) {
        String arch = m.getString("general.architecture");
        if (!ARCHITECTURES.contains(arch)) {
            throw new IllegalArgumentException("unsupported model architecture '" + arch + "' (general.architecture);"
                    + " this engine runs " + String.join(", ", ARCHITECTURES));
        }
        int dim = m.getInt(arch + ".embedding_length");
        int heads = m.getInt(arch + ".attention.head_count");
        return new ModelConfig(
                arch,
                dim,
                m.getInt(arch + ".feed_forward_length"),
                m.getInt(arch + ".block_count"),
                heads,
                m.getInt(arch + ".attention.head_count_kv", heads),
                vocabSize,
                m.getInt(arch + ".context_length"),
                m.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f),
                m.getFloat(arch + ".rope.freq_base", 10000f),
                m.getInt(arch + ".rope.dimension_count", dim / heads),
                RopeLayout.forArchitecture(arch),
                RopeScaling.fromGguf(m, arch));
    }
}
