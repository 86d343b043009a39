package dev.morphserve.tensor;

/**
 * How a {@link Tensor}'s bytes are arranged.
 *
 * <ul>
 *   <li>{@link #GGML}: ggml's row-major layout, every row a run of whole blocks; what model files hold
 *       and what {@link TensorCodec} reads.
 *   <li>{@link #KERNEL_PANELS}: a copy made by a kernel's {@code prepare} for its own inner loops
 *       (rows interleaved in panels of vector-lane width). Only the kernel that made it can read it;
 *       {@code TensorCodec} refuses it.
 * </ul>
 */
public enum TensorLayout {
    GGML,
    KERNEL_PANELS
}
