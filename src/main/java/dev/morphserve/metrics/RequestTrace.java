package dev.morphserve.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One request's timeline, fed by the thread that delivers its events (events of one request
 * arrive in order, so no locking). {@link #finish} or {@link #abort} records the request once.
 */
public final class RequestTrace {
    private final RequestMetrics metrics;
    private final long arrivalNanos;
    private long lastTokenNanos = -1;
    private boolean recorded;

    RequestTrace(RequestMetrics metrics, long arrivalNanos) {
        this.metrics = metrics;
        this.arrivalNanos = arrivalNanos;
    }

    /** @param swappedLayers decoder layers that ran quantized for this token */
    public void onToken(int swappedLayers) {
        metrics.tokensAtSwapped(swappedLayers).increment();
        long now = System.nanoTime();
        if (lastTokenNanos < 0) {
            metrics.timeToFirstToken.record(now - arrivalNanos, TimeUnit.NANOSECONDS);
        } else {
            metrics.interTokenLatency.record(now - lastTokenNanos, TimeUnit.NANOSECONDS);
        }
        lastTokenNanos = now;
    }

    /**
     * @param queueNanos the engine's queueing delay; negative when unknown (the API stopped the
     *                   request on a stop string before the engine reported it)
     */
    public synchronized void finish(String finishedReason, int promptTokens, int completionTokens, int swappedTokens, long queueNanos) {
        if (recorded) {
            return;
        }
        recorded = true;
        metrics.endToEndLatency.record(Duration.ofNanos(System.nanoTime() - arrivalNanos));
        if (queueNanos >= 0) {
            metrics.queueTime.record(queueNanos, TimeUnit.NANOSECONDS);
        }
        metrics.success(finishedReason).increment();
        metrics.promptTokens.increment(promptTokens);
        metrics.generationTokens.increment(completionTokens);
        metrics.swappedTokens.increment(swappedTokens);
    }
}
