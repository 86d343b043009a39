package dev.morphserve.backend.cuda;

/** A CUDA driver call failed; the message names the call and the driver's error. */
public final class CudaException extends RuntimeException {
    private final int result;

    CudaException(String message, int result) {
        super(message);
        this.result = result;
    }

    /** The driver's {@code CUresult}. */
    public int result() {
        return result;
    }
}
