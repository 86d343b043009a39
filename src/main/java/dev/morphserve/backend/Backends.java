package dev.morphserve.backend;

import dev.morphserve.backend.cuda.CudaBackend;
import dev.morphserve.backend.cuda.CudaProbe;

/** Opens the backend a command or the server asked for. */
public final class Backends {
    private Backends() {}

    /**
     * @param threads CPU worker threads (the CPU backend's, and unused on a GPU)
     * @param kernels which CPU kernels (ignored by CUDA)
     */
    public static Backend create(BackendKind kind, int threads, KernelKind kernels) {
        return switch (kind) {
            case CPU -> CpuBackend.create(threads, kernels);
            case CUDA -> CudaBackend.open();
            case AUTO -> {
                CudaProbe.Result probe = CudaProbe.probe();
                yield probe.available() ? CudaBackend.open() : CpuBackend.create(threads, kernels, "auto: " + probe.reason());
            }
        };
    }
}
