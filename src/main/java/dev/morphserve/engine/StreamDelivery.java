package dev.morphserve.engine;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that carry token events from the engine thread to the streams' subscribers
 * (detokenizing, formatting, handing bytes to the event loop), so that none of that slows a step.
 * A fixed handful rather than the application's elastic worker pool: one engine step emits a
 * token to every running request at once, and an elastic pool answers such a burst with a new
 * thread per stream (tens of threads for tens of clients) that then idle until their keep-alive
 * ends. The work per event is short and non-blocking, so a few threads keep up; each stream stays
 * ordered because {@code emitOn} serializes its own events. Idle threads exit after
 * {@link #IDLE_SECONDS}, so a quiet server holds none.
 */
public final class StreamDelivery {
    static final int IDLE_SECONDS = 10;
    private static final Executor EXECUTOR = create(Math.max(2, Runtime.getRuntime().availableProcessors()), IDLE_SECONDS);

    private StreamDelivery() {}

    /** Shared by every engine in the process: subscribers must not block in onItem. */
    public static Executor executor() {
        return EXECUTOR;
    }

    static ThreadPoolExecutor create(int threads, long idleSeconds) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, idleSeconds, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> Thread.ofPlatform().name("morphserve-stream-" + count.incrementAndGet()).daemon().unstarted(task));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
