package dev.morphserve.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Open-loop replay: the calling thread acts as the scheduler, sleeping until each request's arrival
 * time and starting it without waiting for earlier ones, so a slow server builds up a queue exactly
 * as it would under real traffic (a closed loop would hide that by slowing the arrivals down).
 * With a concurrency cap, a request that arrives while the cap is reached waits for a free slot
 * and its TTFT is still measured from when it was actually sent, as vLLM's benchmark does; the
 * delay shows up in the record as {@code sendMs - scheduledMs}.
 */
public final class LoadRunner {
    private final CompletionClient client;
    private final int maxConcurrency;
    private final Consumer<RequestRecord> onFinished;

    /**
     * @param maxConcurrency at most this many requests in flight; 0 for no cap
     * @param onFinished     called once per finished request, from the HTTP client's threads (progress)
     */
    public LoadRunner(CompletionClient client, int maxConcurrency, Consumer<RequestRecord> onFinished) {
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("--max-concurrency must be >= 1, got " + maxConcurrency);
        }
        this.client = client;
        this.maxConcurrency = maxConcurrency;
        this.onFinished = onFinished;
    }

    /** The records in request order and the run's duration: first send to last finish. */
    public record RunResult(List<RequestRecord> records, double durationMs) {}

    public RunResult run(List<TimedRequest> requests) throws InterruptedException {
        Semaphore slots = maxConcurrency > 0 ? new Semaphore(maxConcurrency, true) : null;
        List<CompletableFuture<RequestRecord>> inFlight = new ArrayList<>(requests.size());
        long startNanos = System.nanoTime();
        try {
            for (int i = 0; i < requests.size(); i++) {
                TimedRequest request = requests.get(i);
                sleepUntil(startNanos + (long) (request.arrivalMs() * 1e6));
                if (slots != null) {
                    slots.acquire();
                }
                CompletableFuture<RequestRecord> future = client.send(i, request, startNanos);
                inFlight.add(future.whenComplete((record, e) -> {
                    if (slots != null) {
                        slots.release();
                    }
                    onFinished.accept(record);
                }));
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        } catch (InterruptedException e) {
            // Ctrl-C or a caller's interrupt: stop the open streams rather than leave them running.
            inFlight.forEach(f -> f.cancel(true));
            throw e;
        }
        double durationMs = (System.nanoTime() - startNanos) / 1e6;
        List<RequestRecord> records = inFlight.stream()
                .map(CompletableFuture::join)
                .sorted(Comparator.comparingInt(RequestRecord::index))
                .toList();
        return new RunResult(records, durationMs);
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
            // parkNanos can return early (spurious wake-ups), hence the loop.
            LockSupport.parkNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
