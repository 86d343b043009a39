package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.tokenizer.Vocabulary;
import io.smallrye.mutiny.Multi;

/**
 * The continuous-batching engine: a paged KV pool, a scheduler and the engine thread, behind a
 * thread-safe {@link #generate} that turns each request into a stream fed by that thread. Events
 * are handed to a worker pool (emitOn) so that detokenizing and socket writes never slow a step.
 */
public final class Engine implements AutoCloseable {
    private final BlockPool pool;
    private final AdmissionControl admission;
    private final EngineLoop loop;
    private final Thread thread;
    private final int contextLength;
    private volatile EngineStats stats = EngineStats.EMPTY;
    private volatile boolean draining;

    /** Takes ownership of {@code pool}. */
    public Engine(ModelRunner runner, Vocabulary vocabulary, BlockPool pool, EngineSettings settings) {
        this(runner, vocabulary, pool, settings, StepHook.NONE);
    }

    /** Takes ownership of {@code pool}; {@code hook} runs on the engine thread before every step. */
    public Engine(ModelRunner runner, Vocabulary vocabulary, BlockPool pool, EngineSettings settings, StepHook hook) {
        this.pool = pool;
        this.contextLength = runner.config().contextLength();
        this.admission = new AdmissionControl(settings.maxWaitingRequests(), settings.maxWaitingTokens());
        Scheduler scheduler = new Scheduler(pool, settings.maxTokensPerStep(), settings.maxRunningRequests(),
                r -> admission.release(r.numPromptTokens()));
        EngineCore core = new EngineCore(runner, pool, scheduler, vocabulary);
        this.stats = new EngineStats(0, 0, pool.numTotalBlocks(), pool.numFreeBlocks(), 0, 0, 0, 0, 1, pool.byteSize(), 0, 0);
        this.loop = new EngineLoop(core, admission, s -> stats = s, hook);
        this.thread = Thread.ofPlatform().name("morphserve-engine").daemon().start(loop);
    }

    /** See {@link EngineClient#generate}. */
    public Multi<GenerationEvent> generate(GenerationRequest request) {
        return Multi.createFrom().<GenerationEvent>emitter(emitter -> {
                    int promptTokens = request.promptTokens().length;
                    try {
                        if (draining) {
                            throw new EngineShutdownException("the server is shutting down and takes no new requests; retry on another instance");
                        }
                        checkFits(promptTokens);
                        admission.reserve(promptTokens);
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                        return;
                    }
                    Request r = new Request(request, System.nanoTime(), emitter);
                    // Cancellation (client gone, stop string) aborts; after completion it is a no-op.
                    emitter.onTermination(() -> loop.abort(r));
                    loop.submit(r);
                })
                .emitOn(StreamDelivery.executor());
    }

    private void checkFits(int promptTokens) {
        if (promptTokens + 1 > contextLength) {
            throw new IllegalArgumentException("the prompt has " + promptTokens
                    + " tokens; with at least one generated token it must fit the context of " + contextLength);
        }
        int totalBlocks = stats.totalBlocks();
        if (pool.layout().blocksFor(promptTokens + 1) > totalBlocks) {
            throw new IllegalArgumentException("the prompt has " + promptTokens + " tokens, more than the whole KV cache holds ("
                    + totalBlocks * pool.blockSize() + ")");
        }
    }

    /** Runs {@code action} on the engine thread between two steps (morph commands go this way). */
    public void atNextStepBoundary(java.util.function.Consumer<StepBoundary> action) {
        loop.atNextBoundary(action);
    }

    /** From now on new requests fail with {@link EngineShutdownException}; running ones go on. */
    public void drain() {
        draining = true;
    }

    /** No request is running, waiting or on its way in. */
    public boolean isIdle() {
        return loop.isIdle();
    }

    /** Ends every request still in the engine with {@code failure}, between two steps; their blocks are freed. */
    public void failAll(RuntimeException failure) {
        loop.failAllAtNextBoundary(failure);
    }

    /** The latest snapshot, published by the engine thread after every step. */
    public EngineStats stats() {
        return stats;
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop();
        thread.join(5000);
        pool.close();
    }
}
