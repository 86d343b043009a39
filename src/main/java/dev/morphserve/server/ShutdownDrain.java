package dev.morphserve.server;

import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineShutdownException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * SIGTERM drains instead of cutting streams: readiness goes down at once, new requests get 503
 * with Retry-After, running ones may finish within {@code morphserve.shutdown.grace}, and whatever
 * is left then ends with an error event (streams) or a 503 (requests not started). Runs first
 * among the shutdown observers, while the HTTP server still writes.
 */
@ApplicationScoped
public class ShutdownDrain {
    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    private static final long POLL_MILLIS = 50;
    /** After failing the leftovers: time for their error events to leave the socket buffers. */
    private static final Duration FLUSH = Duration.ofMillis(500);

    private final LocalEngineClient engines;
    private final Duration grace;
    private volatile boolean draining;

    ShutdownDrain(LocalEngineClient engines, ServeConfig config) {
        this.engines = engines;
        this.grace = config.shutdown().grace();
        if (grace.isNegative()) {
            throw new IllegalStateException("morphserve.shutdown.grace must be >= 0, got " + grace);
        }
    }

    /** True from the start of shutdown: the readiness check reports down. */
    public boolean draining() {
        return draining;
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        draining = true;
        Engine engine = engines.engine();
        if (engine == null) {
            return;
        }
        engine.drain();
        var stats = engine.stats();
        long start = System.nanoTime();
        if (!engine.isIdle()) {
            LOG.infof("shutting down: waiting up to %d s for %d running and %d waiting requests (morphserve.shutdown.grace)",
                    grace.toSeconds(), stats.numRunning(), stats.numWaiting());
        }
        if (awaitIdle(engine, grace)) {
            LOG.infof("drained in %.0f ms", (System.nanoTime() - start) / 1e6);
            return;
        }
        stats = engine.stats();
        LOG.warnf("grace period over: ending %d running requests with an error and refusing %d waiting ones",
                stats.numRunning(), stats.numWaiting());
        engine.failAll(new EngineShutdownException("the server shut down before this request finished (grace period of "
                + grace.toSeconds() + " s over); retry on another instance"));
        awaitIdle(engine, Duration.ofSeconds(5));
        Thread.sleep(FLUSH.toMillis());
    }

    private static boolean awaitIdle(Engine engine, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!engine.isIdle()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
