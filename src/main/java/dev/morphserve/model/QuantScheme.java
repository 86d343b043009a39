package dev.morphserve.model;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.TensorCodec;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which type each weight matrix gets when a model is quantized: one type for every matrix
 * ({@link Pure}, what {@code llama-quantize --pure} does), or one of llama.cpp's mixes ({@link LlamaMix},
 * e.g. Q4_K_M, what {@code llama-quantize} does without --pure). A scheme only names the wanted type;
 * {@link ModelQuantizer} keeps a matrix's source type where that type cannot encode its rows.
 */
public sealed interface QuantScheme permits QuantScheme.Pure, LlamaMix {

    /** The name a user gives ({@code Q4_0}, {@code Q4_K_M}). */
    String name();

    /** llama.cpp's {@code general.file_type} of the result ({@code llama_ftype}). */
    int fileType();

    /** The wanted type of one weight matrix. */
    GgmlType typeFor(MatrixSlot slot);

    /**
     * One weight matrix as a scheme sees it.
     *
     * @param index its place among the model's matrices of the same role, in file order (llama.cpp's
     *              {@code i_attention_wv}, {@code i_ffn_down}: for a dense model the layer number)
     * @param count how many the rules count with ({@code n_attention_wv}; the layer count for FFN roles)
     * @param gqa   query heads per KV head of the model
     */
    record MatrixSlot(MatrixRole role, int index, int count, int cols, int gqa) {}

    /** Every matrix in {@code type}. */
    record Pure(GgmlType type) implements QuantScheme {
        public Pure {
            if (!TensorCodec.supports(type) || type == GgmlType.Q8_K) {
                throw new IllegalArgumentException("cannot quantize a model to " + type + "; targets: " + targets());
            }
        }

        @Override
        public String name() {
            return type.name();
        }

        /** The numbers llama-quantize records, its aliases included (Q4_K is Q4_K_M's 15). */
        @Override
        public int fileType() {
            return switch (type) {
                case F32 -> 0;
                case F16 -> 1;
                case Q4_0 -> 2;
                case Q8_0 -> 7;
                case Q2_K -> 10;
                case Q3_K -> 12;
                case Q4_K -> 15;
                case Q5_K -> 17;
                case Q6_K -> 18;
                case BF16 -> 32;
                default -> throw new IllegalStateException("no file type for " + type);
            };
        }

        @Override
        public GgmlType typeFor(MatrixSlot slot) {
            return type;
        }
    }

    /**
     * A scheme by name: a llama.cpp mix name (Q4_K_M, ...), else a tensor type; with {@code mix}, a
     * tensor type stands for llama-quantize's default mix of that type (Q2_K, Q4_0, Q6_K, ...).
     */
    static QuantScheme parse(String name, boolean mix) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        for (LlamaMix m : LlamaMix.NAMED) {
            if (m.name().equals(upper)) {
                return m;
            }
        }
        GgmlType type;
        try {
            type = GgmlType.valueOf(upper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown quantization target '" + name.strip() + "'; targets: " + targets());
        }
        if (!mix) {
            return new Pure(type);
        }
        return LlamaMix.forType(type).orElseThrow(() -> new IllegalArgumentException("no llama.cpp mix for " + type
                + " here; mixes: " + String.join(", ", LlamaMix.ALL.stream().map(LlamaMix::name).toList())));
    }

    /** Every name {@link #parse} accepts, for messages. */
    static String targets() {
        String types = String.join(", ", Arrays.stream(GgmlType.values())
                .filter(t -> TensorCodec.supports(t) && t != GgmlType.Q8_K).map(Enum::name).toList());
        String mixes = String.join(", ", LlamaMix.NAMED.stream().map(LlamaMix::name).toList());
        return types + " (every matrix in that type) or the llama.cpp mixes " + mixes;
    }
}
