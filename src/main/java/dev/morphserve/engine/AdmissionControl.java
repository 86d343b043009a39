package dev.morphserve.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the waiting queue in requests and prompt tokens. HTTP threads reserve a place before a
 * request enters the engine; the engine releases it when the request is first scheduled or ends
 * before that. Beyond the bounds the API answers 503 instead of letting latency grow unbounded.
 */
final class AdmissionControl {
    private final int maxWaitingRequests;
    private final long maxWaitingTokens;
    private final AtomicInteger waitingRequests = new AtomicInteger();
    private final AtomicLong waitingTokens = new AtomicLong();

    AdmissionControl(int maxWaitingRequests, long maxWaitingTokens) {
        this.maxWaitingRequests = maxWaitingRequests;
        this.maxWaitingTokens = maxWaitingTokens;
    }

    /** Reserves a place, or explains why not. */
    void reserve(int promptTokens) {
        if (waitingRequests.incrementAndGet() > maxWaitingRequests) {
            waitingRequests.decrementAndGet();
            throw new EngineOverloadedException("the server is busy: " + maxWaitingRequests
                    + " requests are already waiting (morphserve.engine.max-waiting-requests); retry later", 1);
        }
        if (waitingTokens.addAndGet(promptTokens) > maxWaitingTokens) {
            waitingTokens.addAndGet(-promptTokens);
            waitingRequests.decrementAndGet();
            throw new EngineOverloadedException("the server is busy: waiting prompts exceed " + maxWaitingTokens
                    + " tokens (morphserve.engine.max-waiting-tokens); retry later", 1);
        }
    }

    void release(int promptTokens) {
        waitingRequests.decrementAndGet();
        waitingTokens.addAndGet(-promptTokens);
    }
}
