package dev.morphserve.kernel;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorCodec;

/**
 * The reference: decode each weight row to floats with {@link TensorCodec}, then a double-precision
 * dot product per token, on the calling thread. Slow and obviously correct. For Q4_0 weights the
 * activations are first quantized to Q8_0 and dequantized ({@code code * d}), as llama.cpp's
 * vec_dot_q4_0_q8_0 and {@link VectorKernels} do, for the K-quants Q2_K .. Q6_K to Q8_K (vec_dot_qN_K_q8_K); for every other type they stay float, so the
 * result is the exact product of the stored weights ({@link ActivationRounding#NONE} makes that so for
 * Q4_0 as well).
 */
public final class ScalarKernels implements Kernels {
    private final ActivationRounding rounding;

    /** The reference of the product path ({@link ActivationRounding#AS_GGML}). */
    public ScalarKernels() {
        this(ActivationRounding.AS_GGML);
    }

    public ScalarKernels(ActivationRounding rounding) {
        this.rounding = rounding;
    }

    @Override
    public void matmul(Tensor w, float[] x, int numTokens, float[] out) {
        VectorKernels.checkShapes(w, x, numTokens, out);
        TensorCodec.requireGgml(w);
        int rows = w.rows();
        int cols = w.cols();
        float[] row = new float[cols]; // [cols] decoded weight row
        if (w.type() == GgmlType.Q4_0 && rounding == ActivationRounding.AS_GGML) {
            x = quantizedQ8_0(x, numTokens * cols);
        } else if (Q4Activations.takesQ8_K(w.type()) && rounding == ActivationRounding.AS_GGML) {
            float[] q = new float[numTokens * cols];
            for (int t = 0; t < numTokens; t++) {
                Q4Activations.roundedQ8_K(x, t, cols, q);
            }
            x = q;
        }
        for (int r = 0; r < rows; r++) {
            TensorCodec.decodeRow(w, r, row, 0);
            for (int t = 0; t < numTokens; t++) {
                double sum = 0;
                int xOff = t * cols;
                for (int c = 0; c < cols; c++) {
                    sum += (double) row[c] * x[xOff + c];
                }
                out[t * rows + r] = (float) sum;
            }
        }
    }

    /** x[0 .. n) quantized per 32 as ggml's Q8_0 and dequantized; n is a multiple of 32 (Q4_0 cols are). */
    private static float[] quantizedQ8_0(float[] x, int n) {
        float[] q = new float[n]; // [numTokens][cols], one row of n as far as the blocks go
        Activations.quantizeQ8_0(x, 0, n, q, n, new byte[32]);
        return q;
    }
}
