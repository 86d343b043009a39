package dev.morphserve.server;

import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineShutdownException;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM drains instead of cutting streams: readiness goes down at once, new requests get 503
 * with Retry-After, running ones may finish within {@code morphserve.shutdown.grace}, and whatever
 * is left then ends with an error event (streams) or a 503 (requests not started); then the
 * application exits. SIGTERM gets a handler of its own because Quarkus's shutdown closes client
 * connections while shutdown observers still run: the drain must be over before it begins.
 * Other ways out (an exit from the application itself) drain in the first shutdown observer.
 */
@ApplicationScoped
public class ShutdownDrain {
    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    private static final long POLL_MILLIS = 50;
    /** After failing the leftovers: time for their error events to leave the socket buffers. */
    private static final Duration FLUSH = Duration.ofMillis(500);

    private final LocalEngineClient engines;
    private final Duration grace;
    /** Set once, when the drain starts (whichever way shutdown began). */
    private final AtomicBoolean draining = new AtomicBoolean();

    ShutdownDrain(LocalEngineClient engines, ServeConfig config) {
        this.engines = engines;
        this.grace = config.shutdown().grace();
        if (grace.isNegative()) {
            throw new IllegalStateException("morphserve.shutdown.grace must be >= 0, got " + grace);
        }
    }

    /** True from the start of shutdown: the readiness check reports down. */
    public boolean draining() {
        return draining.get();
    }

    void onStart(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            Signal.handle(new Signal("TERM"), signal -> {
                if (draining.get()) {
                    LOG.warn("second SIGTERM: exiting without waiting for the drain");
                    Quarkus.asyncExit(0);
                    return;
                }
                try {
                    drain();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    Quarkus.asyncExit(0);
                }
            });
        }
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        drain();
    }

    /** Runs once, whichever way shutdown starts. */
    private void drain() throws InterruptedException {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
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
