package dev.morphserve.backend.cuda;

/** CUDA was asked for and cannot be had here; the message says why in one sentence. */
public final class CudaUnavailableException extends IllegalStateException {
    public CudaUnavailableException(String message) {
        super(message);
    }
}
