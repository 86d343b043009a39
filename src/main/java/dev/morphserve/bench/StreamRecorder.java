package dev.morphserve.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * Receives the lines of one streamed response as they arrive and stamps each token with
 * {@link System#nanoTime()}. The HTTP client calls a subscriber's methods one at a time, and the
 * result is read only after the body completes, so no locking is needed.
 */
final class StreamRecorder implements Flow.Subscriber<String> {
    private final List<Long> contentNanos = new ArrayList<>();
    private int usageCompletionTokens = -1;
    private boolean done;
    private long endNanos;
    private String error;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        long now = System.nanoTime();
        switch (SseParser.parse(line)) {
            case SseEvent.Chunk chunk -> {
                if (chunk.error() != null && error == null) {
                    error = chunk.error();
                }
                if (chunk.content() && !done) {
                    contentNanos.add(now);
                }
                if (chunk.completionTokens() >= 0) {
                    usageCompletionTokens = chunk.completionTokens();
                }
            }
            case SseEvent.Done d -> {
                done = true;
                endNanos = now;
            }
            case SseEvent.Ignored i -> {}
        }
    }

    @Override
    public void onError(Throwable throwable) {
        // The client also fails the response future with this; the caller reports it from there.
    }

    @Override
    public void onComplete() {
        if (!done) {
            endNanos = System.nanoTime();
        }
    }

    /** Turns the recorded stream into a record; {@code sendNanos} is when the request left. */
    RequestRecord toRecord(int index, double scheduledMs, double sendMs, long sendNanos, TimedRequest request) {
        if (error == null && contentNanos.isEmpty()) {
            error = "stream carried no token";
        } else if (error == null && !done) {
            error = "stream ended without data: [DONE]";
        }
        Double ttftMs = contentNanos.isEmpty() ? null : (contentNanos.getFirst() - sendNanos) / 1e6;
        List<Double> itlMs = new ArrayList<>(Math.max(0, contentNanos.size() - 1));
        for (int i = 1; i < contentNanos.size(); i++) {
            itlMs.add((contentNanos.get(i) - contentNanos.get(i - 1)) / 1e6);
        }
        boolean usage = usageCompletionTokens >= 0;
        int outputTokens = usage ? usageCompletionTokens : contentNanos.size();
        return new RequestRecord(index, scheduledMs, sendMs, request.promptTokens(), request.outputTokens(), error == null, 200,
                error == null ? null : "stream error", error, ttftMs, itlMs, (endNanos - sendNanos) / 1e6, outputTokens, usage);
    }
}
