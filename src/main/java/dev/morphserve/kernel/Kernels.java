package dev.morphserve.kernel;

import dev.morphserve.tensor.Tensor;

/**
 * The matrix products of the forward pass. {@link ScalarKernels} is the obviously-correct
 * reference; {@link VectorKernels} is the fast path and must agree with it within float tolerance.
 */
public interface Kernels {

    /**
     * Multiplies every token's activation row by the weight matrix.
     *
     * <pre>
     * w   : [rows x cols]       (any computable GgmlType, row-major)
     * x   : [numTokens x cols]  float, row-major
     * out : [numTokens x rows]  out[t*rows + r] = sum_c w[r][c] * x[t*cols + c]
     * </pre>
     *
     * Weights are read once per call whatever {@code numTokens} is: prefill and batched decode
     * both go through here.
     */
    void matmul(Tensor w, float[] x, int numTokens, float[] out);

    /**
     * Returns {@code w} in the layout this kernel reads fastest, to be called once per weight
     * matrix at load time; {@link #matmul} of the result equals {@link #matmul} of {@code w}. The
     * default (and the answer for any type the kernel does not repack) is {@code w} itself. A
     * repacked copy lives off-heap and is freed when it becomes unreachable; it can be given only to
     * the kernel class that made it.
     */
    default Tensor prepare(Tensor w) {
        return w;
    }

    /**
     * Like {@link #prepare(Tensor)}, but a repacked copy's memory belongs to {@code arena} and is
     * released when it closes (morphing frees a layer's resident copy at a known moment).
     */
    default Tensor prepare(Tensor w, java.lang.foreign.Arena arena) {
        return prepare(w);
    }
}
