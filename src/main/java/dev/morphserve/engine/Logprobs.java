package dev.morphserve.engine;

import dev.morphserve.model.LogSoftmax;
import java.util.ArrayList;
import java.util.List;

/**
 * Log-probabilities of one position's logits: {@code log_softmax(logits)} computed in double
 * (max-shifted log-sum-exp, so large logits cannot overflow).
 *
 * <p>Which distribution: the model's raw logits, before temperature, penalties, logit_bias and
 * top-k/top-p. That is vLLM's default ({@code logprobs_mode = raw_logprobs}); it makes a logprob a
 * property of the model and the text alone, so clients can score or compare texts whatever sampling
 * settings produced them, and greedy and sampled requests report the same numbers for the same
 * tokens. The cost: a token forced by logit_bias may show a low logprob.
 */
public final class Logprobs {
    /** The most alternatives a request may ask for (vLLM's limit; OpenAI's is 5 for completions, 20 for chat). */
    public static final int MAX_TOP = 20;

    private final double logNormalizer;

    private Logprobs(float[] logits, int offset, int vocab) {
        this.logNormalizer = LogSoftmax.logNormalizer(logits, offset, vocab);
    }

    /** The logprob of {@code tokenId} and the {@code topN} most likely tokens at {@code logits[offset .. offset + vocab)}. */
    public static TokenLogprobs of(float[] logits, int offset, int vocab, int tokenId, int topN) {
        Logprobs distribution = new Logprobs(logits, offset, vocab);
        List<TokenLogprobs.Candidate> top = new ArrayList<>(topN);
        for (int id : topIds(logits, offset, vocab, topN)) {
            top.add(new TokenLogprobs.Candidate(id, distribution.logprob(logits[offset + id])));
        }
        return new TokenLogprobs(tokenId, distribution.logprob(logits[offset + tokenId]), top);
    }

    private float logprob(float logit) {
        return (float) (logit - logNormalizer);
    }

    /** The ids of the n largest logits, largest first, ties to the lower id (a partial insertion sort: n is at most 20). */
    static int[] topIds(float[] logits, int offset, int vocab, int n) {
        int k = Math.min(n, vocab);
        int[] ids = new int[k];
        int size = 0;
        for (int id = 0; id < vocab; id++) {
            float v = logits[offset + id];
            if (size == k && (k == 0 || v <= logits[offset + ids[k - 1]])) {
                continue; // not larger than the smallest kept; equal loses to the lower id already kept
            }
            int at = size < k ? size++ : k - 1;
            while (at > 0 && v > logits[offset + ids[at - 1]]) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = id;
        }
        return ids;
    }
}
