package dev.morphserve.engine;

/**
 * The server is shutting down: new requests are refused (503 with Retry-After, so a load balancer
 * sends them elsewhere) and, once the grace period is over, unfinished ones end with this.
 */
public final class EngineShutdownException extends RuntimeException {
    /** Long enough for a replacement instance to come up; short enough not to strand a client. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public EngineShutdownException(String message) {
        super(message, null, false, false); // an expected outcome: no stack trace
    }
}
