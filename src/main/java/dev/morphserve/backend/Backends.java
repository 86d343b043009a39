package dev.morphserve.backend;

import dev.morphserve.backend.cuda.CudaBackend;
import dev.morphserve.backend.cuda.CudaProbe;
import dev.morphserve.kvcache.KvType;

/** Opens the backend a command or the server asked for. */
public final class Backends {
    private Backends() {}

    /**
     * @param threads CPU worker threads (the CPU backend's, and unused on a GPU)
     * @param kernels which CPU kernels (ignored by CUDA)
     * @param kvType  element type of the KV cache (CUDA refuses anything but F16)
     */
    public static Backend create(BackendKind kind, int threads, KernelKind kernels, KvType kvType) {
        return switch (kind) {
            case CPU -> CpuBackend.create(threads, kernels, kvType);
            case CUDA -> CudaBackend.open(kvType);
            case AUTO -> {
                CudaProbe.Result probe = CudaProbe.probe();
                yield probe.available() ? CudaBackend.open(kvType)
                        : CpuBackend.create(threads, kernels, kvType, "auto: " + probe.reason());
            }
        };
    }
}
