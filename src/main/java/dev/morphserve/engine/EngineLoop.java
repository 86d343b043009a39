package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The engine thread: drains submissions and aborts between steps, then runs a step while there is
 * work, and sleeps on its inbox when there is none. Nothing else ever touches the engine core.
 */
final class EngineLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(EngineLoop.class);

    /** What other threads may ask of the engine. */
    sealed interface Command {
        record Submit(Request request) implements Command {}

        record Abort(Request request) implements Command {}

        /** Ends every live request with a failure (shutdown after the grace period). */
        record FailAll(RuntimeException failure) implements Command {}

        /** Runs an action on the engine thread at the next step boundary. */
        record AtBoundary(Consumer<StepBoundary> action) implements Command {}
    }

    private final EngineCore core;
    private final AdmissionControl admission;
    private final Consumer<EngineStats> statsListener;
    private final StepHook hook;
    private final LinkedBlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final Map<String, Request> live = new HashMap<>();
    private volatile boolean stopped;
    /** {@code live.size()} as other threads may read it. */
    private volatile int numLiveRequests;

    EngineLoop(EngineCore core, AdmissionControl admission, Consumer<EngineStats> statsListener, StepHook hook) {
        this.core = core;
        this.hook = hook;
        this.admission = admission;
        this.statsListener = statsListener;
    }

    void submit(Request request) {
        inbox.add(new Command.Submit(request));
    }

    void abort(Request request) {
        inbox.add(new Command.Abort(request));
    }

    void atNextBoundary(Consumer<StepBoundary> action) {
        inbox.add(new Command.AtBoundary(action));
    }

    void failAllAtNextBoundary(RuntimeException failure) {
        inbox.add(new Command.FailAll(failure));
    }

    boolean isIdle() {
        return inbox.isEmpty() && numLiveRequests == 0;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                boolean busy = !core.scheduler().running().isEmpty() || !core.scheduler().waiting().isEmpty();
                Command first = busy ? inbox.poll() : inbox.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    apply(first);
                    for (Command c = inbox.poll(); c != null; c = inbox.poll()) {
                        apply(c);
                    }
                }
                hook.beforeStep(boundary);
                if (core.step(hook.numSwappedLayers())) {
                    live.values().removeIf(r -> r.group.isFinished());
                }
                numLiveRequests = live.size();
                statsListener.accept(stats());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // A failed step leaves no request half-served: fail them all, free their blocks, go on.
                LOG.error("engine step failed; failing the running requests", e);
                failAll(e);
            }
        }
        failAll(new IllegalStateException("the engine stopped"));
    }

    private void apply(Command command) {
        switch (command) {
            case Command.Submit s -> {
                live.put(s.request().id, s.request());
                core.scheduler().add(s.request());
            }
            case Command.AtBoundary b -> b.action().accept(boundary);
            case Command.FailAll f -> failAll(f.failure());
            case Command.Abort a -> {
                Request r = a.request();
                if (live.remove(r.id) != null && !r.group.isFinished()) {
                    releaseAdmission(r);
                    core.abort(r);
                }
            }
        }
    }

    private final StepBoundary boundary = new StepBoundary() {
        @Override
        public BlockPool pool() {
            return core.pool();
        }

        @Override
        public List<BlockTable> liveBlockTables() {
            return core.scheduler().running().stream().map(r -> r.blockTable).toList();
        }
    };

    /** A request that ends before it was ever scheduled gives its waiting-queue place back. */
    private void releaseAdmission(Request r) {
        if (r.firstScheduledNanos < 0) {
            admission.release(r.numPromptTokens());
        }
    }

    private void failAll(Throwable failure) {
        for (Request r : live.values()) {
            if (!r.group.isFinished()) {
                releaseAdmission(r);
                core.fail(r, failure);
            }
        }
        live.clear();
    }

    private EngineStats stats() {
        var scheduler = core.scheduler();
        Request oldest = scheduler.waiting().peekFirst();
        return new EngineStats(
                scheduler.running().size(),
                scheduler.waiting().size(),
                core.pool().numTotalBlocks(),
                core.pool().numFreeBlocks(),
                scheduler.numPreemptions(),
                oldest == null ? 0 : System.nanoTime() - oldest.arrivalNanos,
                scheduler.waiting().stream().mapToInt(r -> core.pool().layout().blocksFor(r.numTokens() + 1)).sum(),
                core.numSteps(),
                core.pool().numChunks(),
                core.pool().byteSize(),
                core.recentTtftNanos(),
                core.recentTpotNanos());
    }
}
