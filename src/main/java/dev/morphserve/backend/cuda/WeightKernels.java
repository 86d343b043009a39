package dev.morphserve.backend.cuda;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorLayout;
import java.util.StringJoiner;

/**
 * Which kernels read a weight type: the decode matrix-vector kernel ({@code mmv_*}, up to
 * {@link #MMV_MAX_TOKENS} tokens, each weight read once for all of them), the tiled batch kernel
 * ({@code mm_*}) for prefill and big batches, and the embedding gather ({@code get_rows_*}).
 * Quantized types need rows of whole blocks: 32 values for Q8_0/Q4_0, 256 for the K-quants.
 */
enum WeightKernels {
    F32(GgmlType.F32, "f32"),
    F16(GgmlType.F16, "f16"),
    BF16(GgmlType.BF16, "bf16"),
    Q8_0(GgmlType.Q8_0, "q8_0"),
    Q4_0(GgmlType.Q4_0, "q4_0"),
    Q2_K(GgmlType.Q2_K, "q2_k"),
    Q3_K(GgmlType.Q3_K, "q3_k"),
    Q4_K(GgmlType.Q4_K, "q4_k"),
    Q5_K(GgmlType.Q5_K, "q5_k"),
    Q6_K(GgmlType.Q6_K, "q6_k");

    /** Tokens the decode kernel keeps accumulators for; bigger steps go to the tiled kernel. */
    static final int MMV_MAX_TOKENS = 8;
    /** Rows per 128-thread block of the decode kernel: one warp per row. */
    static final int MMV_ROWS_PER_BLOCK = 4;
    static final int MMV_THREADS = 128;
    /** Output tile of the batch kernel: rows x tokens, 256 threads. */
    static final int MM_TILE = 64;
    static final int MM_THREADS = 256;

    private final GgmlType type;
    private final String suffix;

    WeightKernels(GgmlType type, String suffix) {
        this.type = type;
        this.suffix = suffix;
    }

    String matVec() {
        return "mmv_" + suffix;
    }

    String matMul() {
        return "mm_" + suffix;
    }

    String getRows() {
        return "get_rows_" + suffix;
    }

    /** The kernels for a tensor, or a refusal that says what to do. */
    static WeightKernels of(Tensor t) {
        if (t.layout() != TensorLayout.GGML) {
            throw new IllegalArgumentException(t.name() + " is in a CPU kernel's private layout (" + t.layout()
                    + "): the CUDA backend reads tensors as the GGUF file stores them");
        }
        for (WeightKernels k : values()) {
            if (k.type == t.type()) {
                return k;
            }
        }
        throw new IllegalArgumentException("the CUDA backend has no kernels for " + t.type() + " (tensor " + t.name()
                + "; it reads " + supported() + "): requantize the model to Q8_0 or Q4_0 (morphserve quantize), or run it"
                + " with --backend cpu");
    }

    private static String supported() {
        StringJoiner names = new StringJoiner(", ");
        for (WeightKernels k : values()) {
            names.add(k.type.name());
        }
        return names.toString();
    }
}
