package dev.morphserve.bench;

import dev.morphserve.engine.Sampler;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * llama-bench's two measurements on our engine: prompt processing (pp: all P tokens in one batched
 * step) and text generation (tg: G single-token decode steps, from an empty context or after D
 * tokens of context).
 */
public final class ModelBench {
    private static final int PREFILL_CHUNK_TOKENS = 256;

    private final ModelRunner runner;
    private final int startTokenId;

    /**
     * @param startTokenId the token the tg test feeds first, the model's BOS as in llama-bench: decode
     *                     needs one token of context even with no prompt ({@code -p 0})
     */
    public ModelBench(ModelRunner runner, int startTokenId) {
        if (startTokenId < 0 || startTokenId >= runner.config().vocabSize()) {
            throw new IllegalArgumentException("start token " + startTokenId + " is outside the vocabulary of "
                    + runner.config().vocabSize() + " tokens");
        }
        this.runner = runner;
        this.startTokenId = startTokenId;
    }

    public record Sample(String test, int tokens, double[] seconds) {
        public double tokensPerSecond() {
            return tokens / mean();
        }

        public double mean() {
            double sum = 0;
            for (double s : seconds) {
                sum += s;
            }
            return sum / seconds.length;
        }

        /** Standard deviation of the per-run tokens/s. */
        public double tokensPerSecondStdev() {
            double m = 0;
            for (double s : seconds) {
                m += tokens / s;
            }
            m /= seconds.length;
            double v = 0;
            for (double s : seconds) {
                v += (tokens / s - m) * (tokens / s - m);
            }
            return Math.sqrt(v / Math.max(1, seconds.length - 1));
        }
    }

    /** Prompt processing: one forward over {@code promptTokens} random tokens, fresh cache per run. */
    public Sample promptProcessing(int promptTokens, int repetitions, Consumer<String> log) {
        double[] seconds = new double[repetitions];
        SplittableRandom random = new SplittableRandom(7);
        for (int r = -1; r < repetitions; r++) { // r = -1 warms the JIT up
            int[] tokens = random.ints(promptTokens, 0, runner.config().vocabSize()).toArray();
            try (SequenceKv cache = runner.sequenceKv(promptTokens)) {
                long start = System.nanoTime();
                runner.forward(ForwardBatch.ofSequence(tokens, 0, cache.table(), false), cache.cache());
                if (r >= 0) {
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                    log.accept(String.format("pp%d run %d: %.1f tok/s", promptTokens, r + 1, promptTokens / seconds[r]));
                }
            }
        }
        return new Sample("pp" + promptTokens, promptTokens, seconds);
    }

    /**
     * Text generation: {@code genTokens} decode steps of one token each after {@code depthTokens}
     * random tokens already in the context (llama-bench's {@code -d}: decode at a long context reads
     * that much KV cache a step). The context is prefilled once, untimed; every run decodes from it
     * again, overwriting the rows the previous run wrote.
     */
    public Sample textGeneration(int genTokens, int depthTokens, int repetitions, Consumer<String> log) {
        double[] seconds = new double[repetitions];
        String test = "tg" + genTokens + (depthTokens > 0 ? " @ d" + depthTokens : "");
        try (SequenceKv cache = runner.sequenceKv(depthTokens + genTokens)) {
            int[] context = new SplittableRandom(11).ints(depthTokens, 0, runner.config().vocabSize()).toArray();
            for (int from = 0; from < depthTokens; from += PREFILL_CHUNK_TOKENS) { // steps of the server's default size
                int[] chunk = java.util.Arrays.copyOfRange(context, from, Math.min(depthTokens, from + PREFILL_CHUNK_TOKENS));
                runner.forward(ForwardBatch.ofSequence(chunk, from, cache.table(), false), cache.cache());
            }
            for (int r = -1; r < repetitions; r++) { // r = -1 warms the JIT up
                int token = startTokenId;
                long start = System.nanoTime();
                for (int pos = depthTokens; pos < depthTokens + genTokens; pos++) {
                    float[] logits = runner.forward(ForwardBatch.ofSequence(new int[] {token}, pos, cache.table(), false), cache.cache());
                    token = Sampler.argmax(logits, 0, runner.config().vocabSize());
                }
                if (r >= 0) {
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                    log.accept(String.format("%s run %d: %.2f tok/s", test, r + 1, genTokens / seconds[r]));
                }
            }
        }
        return new Sample(test, genTokens, seconds);
    }
}
