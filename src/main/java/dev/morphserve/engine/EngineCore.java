package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine step: schedule, run the batched forward pass over every scheduled token, sample for
 * requests whose last token was computed, and finish those that are done. Single-threaded by
 * design: the engine loop's thread owns the scheduler, the block pool and the weights.
 */
final class EngineCore {
    private final ModelRunner runner;
    private final BlockPool pool;
    private final Scheduler scheduler;
    private final Vocabulary vocabulary;
    private final int contextLength;
    private long numSteps;

    EngineCore(ModelRunner runner, BlockPool pool, Scheduler scheduler, Vocabulary vocabulary) {
        this.runner = runner;
        this.pool = pool;
        this.scheduler = scheduler;
        this.vocabulary = vocabulary;
        this.contextLength = runner.config().contextLength();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    BlockPool pool() {
        return pool;
    }

    private final LatencyWindow ttft = new LatencyWindow();
    private final LatencyWindow stepTime = new LatencyWindow();

    long numSteps() {
        return numSteps;
    }

    /** Runs one step; returns false when there was nothing to do. */
    boolean step(int swappedLayers) {
        SchedulerOutput output = scheduler.schedule();
        if (output.isEmpty()) {
            return false;
        }
        long start = System.nanoTime();
        boolean decoding = false;
        int numTokens = output.totalTokens();
        int[] tokens = new int[numTokens];
        int[] positions = new int[numTokens];
        BlockTable[] tables = new BlockTable[numTokens];
        List<Request> sampling = new ArrayList<>();
        List<Integer> logitRows = new ArrayList<>();
        int t = 0;
        for (SchedulerOutput.ScheduledChunk chunk : output.chunks()) {
            Request r = chunk.request();
            decoding |= r.numOutputTokens() > 0;
            for (int i = 0; i < chunk.numTokens(); i++, t++) {
                int position = r.numComputedTokens + i;
                tokens[t] = r.token(position);
                positions[t] = position;
                tables[t] = r.blockTable;
            }
            r.numComputedTokens += chunk.numTokens();
            if (r.numComputedTokens == r.numTokens()) {
                sampling.add(r);
                logitRows.add(t - 1);
            }
        }
        int[] logitIndices = logitRows.stream().mapToInt(Integer::intValue).toArray();
        float[] logits = runner.forward(new ForwardBatch(tokens, positions, tables, logitIndices), pool);
        numSteps++;
        int vocab = runner.config().vocabSize();
        for (int i = 0; i < sampling.size(); i++) {
            Request r = sampling.get(i);
            int next = r.sampler.sample(logits, i * vocab, vocab, r.history);
            FinishReason reason = finishReason(r, next);
            if (reason != FinishReason.STOP) {
                r.appendOutput(next, swappedLayers);
            }
            if (r.numOutputTokens() == 1) {
                long now = System.nanoTime();
                ttft.record(now - r.arrivalNanos, now);
            }
            if (reason != null) {
                scheduler.remove(r);
                r.finish(reason);
            }
        }
        if (decoding) {
            long now = System.nanoTime();
            stepTime.record(now - start, now);
        }
        return true;
    }

    /** 90th percentile of recent times to first token (0 when none). */
    long recentTtftNanos() {
        return ttft.p90(System.nanoTime());
    }

    /** 90th percentile of recent steps that decoded: each running request's time per output token. */
    long recentTpotNanos() {
        return stepTime.p90(System.nanoTime());
    }

    /**
     * STOP for an end-of-generation token (EOS, EOT, EOM; not emitted), LENGTH once max_tokens are
     * out or the context is full, else null.
     */
    private FinishReason finishReason(Request r, int next) {
        if (!r.spec.ignoreEos() && vocabulary.isEndOfGeneration(next)) {
            return FinishReason.STOP;
        }
        if (r.numOutputTokens() + 1 >= r.spec.maxTokens() || r.numTokens() + 1 >= contextLength) {
            return FinishReason.LENGTH;
        }
        return null;
    }

    /** Aborts a request wherever it is; its blocks are free when this returns. */
    void abort(Request r) {
        scheduler.remove(r);
        r.finish(FinishReason.ABORT);
    }
}
