package dev.morphserve.model;

/**
 * {@code log_softmax} of one position's logits, in double: perplexity and the API's logprobs
 * read the same normalizer.
 */
public final class LogSoftmax {
    private LogSoftmax() {}

    /**
     * {@code log(sum(exp(logits)))} over {@code logits[offset .. offset + vocab)}, shifted by the
     * maximum so that large logits cannot overflow; a token's logprob is its logit minus this.
     */
    public static double logNormalizer(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return Math.log(sum) + max;
    }
}
