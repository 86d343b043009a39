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
        List<Integer> sampleRows = new ArrayList<>();
        LogitRows rows = new LogitRows();
        int t = 0;
        for (SchedulerOutput.ScheduledChunk chunk : output.chunks()) {
            Request r = chunk.request();
            decoding |= r.numOutputTokens() > 0;
            TokenLogprobs[] promptLogprobs = r.index == 0 ? r.group.pendingPromptLogprobs() : null;
            for (int i = 0; i < chunk.numTokens(); i++, t++) {
                int position = r.numComputedTokens + i;
                tokens[t] = r.token(position);
                positions[t] = position;
                tables[t] = r.blockTable;
                if (promptLogprobs != null && position + 1 < r.numPromptTokens()) {
                    // this row's logits score the next prompt token
                    rows.add(t, new PromptRow(r, position + 1, promptLogprobs));
                }
            }
            r.numComputedTokens += chunk.numTokens();
            if (r.numComputedTokens == r.numTokens()) {
                sampling.add(r);
                sampleRows.add(rows.add(t - 1, null));
            }
        }
        float[] logits = runner.forward(new ForwardBatch(tokens, positions, tables, rows.indices()), pool);
        numSteps++;
        int vocab = runner.config().vocabSize();
        rows.scorePrompts(logits, vocab);
        for (int i = 0; i < sampling.size(); i++) {
            Request r = sampling.get(i);
            if (r.numOutputTokens() == 0 && r.group.needsFork()) {
                fork(r);
            }
            Sampler.Pick pick = r.sampler.sample(logits, sampleRows.get(i) * vocab, vocab, r.history);
            int next = pick.tokenId();
            if (r.index == 0) {
                r.group.sendPromptLogprobs();
            }
            FinishReason reason = finishReason(r, next);
            if (reason != FinishReason.STOP) {
                r.appendOutput(next, swappedLayers, pick.logprobs());
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

    /**
     * Makes sequences 1 .. n-1 of a request whose first sequence just computed its prompt. They
     * share every full prompt block before the one holding the last prompt token and recompute from
     * there (1 .. blockSize tokens each, next step): the prompt is prefilled once, and no block is
     * written by two sequences, so no copy-on-write is needed.
     */
    private void fork(Request first) {
        int sharedBlocks = (first.numPromptTokens() - 1) / pool.blockSize();
        for (int index = 1; index < first.spec.n(); index++) {
            scheduler.addForked(first.fork(index, sharedBlocks, pool));
        }
        first.group.markForked();
    }

    /** A logit row that scores a prompt token (echo with logprobs). */
    private record PromptRow(Request request, int position, TokenLogprobs[] into) {}

    /** The rows of this step whose logits are wanted, ascending, and what each is for. */
    private static final class LogitRows {
        private final List<Integer> tokenIndices = new ArrayList<>();
        private final List<PromptRow> prompts = new ArrayList<>();

        /** @return the row's index in the logits */
        int add(int tokenIndex, PromptRow prompt) {
            tokenIndices.add(tokenIndex);
            prompts.add(prompt);
            return tokenIndices.size() - 1;
        }

        int[] indices() {
            return tokenIndices.stream().mapToInt(Integer::intValue).toArray();
        }

        void scorePrompts(float[] logits, int vocab) {
            for (int row = 0; row < prompts.size(); row++) {
                PromptRow p = prompts.get(row);
                if (p != null) {
                    int token = p.request().token(p.position());
                    p.into()[p.position()] = Logprobs.of(logits, row * vocab, vocab, token, p.request().spec.promptLogprobs());
                }
            }
        }
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

    /** Fails every sequence of a request; their blocks are free when this returns. */
    void fail(Request r, Throwable failure) {
        for (Request sequence : r.group.sequences()) {
            if (!sequence.isFinished()) {
                scheduler.remove(sequence);
                sequence.fail(failure);
            }
        }
    }

    /** Aborts every sequence of a request wherever it is; their blocks are free when this returns. */
    void abort(Request r) {
        for (Request sequence : r.group.sequences()) {
            if (!sequence.isFinished()) {
                scheduler.remove(sequence);
                sequence.finish(FinishReason.ABORT);
            }
        }
    }
}
