package dev.morphserve.backend;

/** Which CPU kernels run the matrix products. */
public enum KernelKind {
    /** Java Vector API kernels over a worker pool: the product path. */
    VECTOR,
    /** Scalar single-threaded reference kernels: slow, obviously correct. */
    SCALAR
}
