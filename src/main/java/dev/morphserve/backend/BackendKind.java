package dev.morphserve.backend;

/** Which backend a command or the server runs on ({@code --backend}, {@code morphserve.backend}). */
public enum BackendKind {
    /** The Java Vector API kernels on this machine's cores. */
    CPU,
    /** The CUDA kernels on an NVIDIA GPU; refused with one sentence when there is none. */
    CUDA,
    /** CUDA when the driver initialises and a device exists, else the CPU. */
    AUTO
}
