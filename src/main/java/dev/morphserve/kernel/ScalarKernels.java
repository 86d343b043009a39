package dev.morphserve.kernel;

import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorCodec;

/**
 * The reference: decode each weight row to floats with {@link TensorCodec}, then a double-precision
 * dot product per token, on the calling thread. Slow and obviously correct; activations stay float
 * (no 8-bit activation quantization), so it is the exact product of the stored weights.
 */
public final class ScalarKernels implements Kernels {

    @Override
    public void matmul(Tensor w, float[] x, int numTokens, float[] out) {
        VectorKernels.checkShapes(w, x, numTokens, out);
        TensorCodec.requireGgml(w);
        int rows = w.rows();
        int cols = w.cols();
        float[] row = new float[cols]; // [cols] decoded weight row
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
}
