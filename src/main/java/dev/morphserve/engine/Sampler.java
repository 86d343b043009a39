package dev.morphserve.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits under one request's {@link SamplingParams}. Each sampler owns its
 * random stream, so what a request samples never depends on the other requests in the batch.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /** A sampled token and, when the request asked, its logprobs (null otherwise). */
    record Pick(int tokenId, TokenLogprobs logprobs) {}

    /**
     * Samples from {@code logits[offset .. offset + vocab)} after the penalties that
     * {@code history} calls for and the logit bias (both modify the logits in place). The logprobs
     * come from the raw row, before either (see {@link Logprobs}); only requests that asked pay for
     * the copy.
     */
    Pick sample(float[] logits, int offset, int vocab, TokenHistory history) {
        float[] raw = params.wantsLogprobs() ? java.util.Arrays.copyOfRange(logits, offset, offset + vocab) : null;
        if (params.hasPenalties()) {
            history.applyPenalties(params, logits, offset);
        }
        params.logitBias().apply(logits, offset, vocab);
        int next = sampleProcessed(logits, offset, vocab);
        return new Pick(next, raw == null ? null : Logprobs.of(raw, 0, vocab, next, params.logprobs()));
    }

    /** Samples from {@code logits[offset .. offset + vocab)} with the logit bias; the array is not modified. */
    public int sample(float[] logits, int offset, int vocab) {
        if (!params.logitBias().isEmpty()) {
            float[] biased = java.util.Arrays.copyOfRange(logits, offset, offset + vocab);
            params.logitBias().apply(biased, 0, vocab);
            return sampleProcessed(biased, 0, vocab);
        }
        return sampleProcessed(logits, offset, vocab);
    }

    private int sampleProcessed(float[] logits, int offset, int vocab) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        float[] probs = new float[vocab];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            probs[i] = logits[offset + i] / params.temperature();
            max = Math.max(max, probs[i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = (float) Math.exp(probs[i] - max);
            sum += probs[i];
        }
        int[] order = candidates(probs, (float) sum);
        double total = 0;
        for (int id : order) {
            total += probs[id];
        }
        double r = random.nextDouble() * total;
        for (int id : order) {
            r -= probs[id];
            if (r <= 0) {
                return id;
            }
        }
        return order[order.length - 1];
    }

    /** Token ids that survive top-k, min-p and top-p, most likely first (ties: lower id first). */
    private int[] candidates(float[] probs, float sum) {
        int[] ids = byDescendingProbability(probs);
        int keep = params.topK() > 0 ? Math.min(params.topK(), ids.length) : ids.length;
        float floor = params.minP() * probs[ids[0]];
        int n = 0;
        double cumulative = 0;
        while (n < keep && probs[ids[n]] >= floor) {
            cumulative += probs[ids[n]] / sum;
            n++;
            if (cumulative >= params.topP()) {
                break;
            }
        }
        return Arrays.copyOf(ids, Math.max(n, 1));
    }

    /**
     * Sorts ids by probability without boxing: probabilities are non-negative floats, so their bit
     * patterns order like the values; packing (bits, inverted id) into a long sorts both at once.
     */
    private static int[] byDescendingProbability(float[] probs) {
        long[] keys = new long[probs.length];
        for (int i = 0; i < probs.length; i++) {
            keys[i] = ((long) Float.floatToRawIntBits(probs[i]) << 32) | (0xFFFFFFFFL & ~i);
        }
        Arrays.sort(keys);
        int[] ids = new int[probs.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ~(int) keys[keys.length - 1 - i];
        }
        return ids;
    }

    /** The id of the largest logit; an exact tie goes to the lowest id (greedy agreement relies on it). */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
