package dev.morphserve.kernel;

/** What happens to float activations before they meet a weight matrix in {@link ScalarKernels}. */
public enum ActivationRounding {
    /**
     * As llama.cpp and {@link VectorKernels}: activations for Q4_0 weights are rounded to Q8_0 first
     * (vec_dot_q4_0_q8_0), for Q2_K .. Q6_K weights to Q8_K (vec_dot_qN_K_q8_K), so the reference checks the product path's numbers.
     */
    AS_GGML,
    /**
     * None: every product is the exact float product of the stored weights, the "F32 activation"
     * reference of llama.cpp's outputs (what an engine that dequantizes and computes in float gives).
     */
    NONE
}
