package dev.morphserve.model;

import dev.morphserve.kvcache.SequenceKv;
import java.util.function.IntConsumer;

/**
 * Mean negative log-likelihood over a token stream, with llama2.c's protocol (see golden.json):
 * the stream after BOS is cut into consecutive windows of {@code windowTokens}; each window runs
 * as [BOS] + window in a fresh cache, in one batched prefill step, and every window token is
 * predicted from the tokens before it.
 *
 * <pre>
 * stream:  BOS t1 t2 ... t511 | t512 ... t1022 | ...
 * window:  [BOS t1 .. t511]     [BOS t512 .. t1022]
 * scored:       t1 .. t511           t512 .. t1022     (logits at positions 0..510)
 * </pre>
 */
public final class Perplexity {
    private final ModelRunner runner;

    public Perplexity(ModelRunner runner) {
        this.runner = runner;
    }

    public record Result(long predictedTokens, double meanNll) {
        public double perplexity() {
            return Math.exp(meanNll);
        }
    }

    /**
     * @param tokens        the encoded text, tokens[0] = BOS
     * @param windowTokens  tokens scored per window (at most context - 1)
     * @param onWindow      called with the number of tokens scored after each window (progress)
     */
    public Result evaluate(int[] tokens, int windowTokens, IntConsumer onWindow) {
        int context = runner.config().contextLength();
        if (windowTokens < 1 || windowTokens > context - 1) {
            throw new IllegalArgumentException("window of " + windowTokens + " tokens does not fit the context of " + context);
        }
        int bos = tokens[0];
        int vocab = runner.config().vocabSize();
        double nllSum = 0;
        long count = 0;
        try (SequenceKv cache = runner.sequenceKv(windowTokens + 1)) {
            for (int start = 1; start < tokens.length; start += windowTokens) {
                int n = Math.min(windowTokens, tokens.length - start);
                int[] input = new int[n]; // BOS + the window minus its last token
                input[0] = bos;
                System.arraycopy(tokens, start, input, 1, n - 1);
                float[] logits = runner.forward(ForwardBatch.ofSequence(input, 0, cache.table(), true), cache.cache());
                for (int i = 0; i < n; i++) {
                    nllSum += negativeLogLikelihood(logits, i * vocab, vocab, tokens[start + i]);
                }
                count += n;
                onWindow.accept(n);
            }
        }
        return new Result(count, count == 0 ? Double.NaN : nllSum / count);
    }

    static double negativeLogLikelihood(float[] logits, int offset, int vocab, int target) {
        return LogSoftmax.logNormalizer(logits, offset, vocab) - logits[offset + target];
    }
}
