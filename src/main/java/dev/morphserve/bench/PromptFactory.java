package dev.morphserve.bench;

import java.util.SplittableRandom;

/**
 * Prompts as arrays of random token ids, so that a prompt has exactly the length the workload asks
 * for without a tokenizer. Ids come from a range of ordinary tokens (by default 300..500, clear of
 * the control and byte tokens at the bottom of small Llama vocabularies), and each request's ids
 * depend only on the seed and the request's index, not on which thread or when it is built. Random
 * prompts also keep a server's prefix cache from making the numbers look better than the trace.
 */
public record PromptFactory(int vocabMin, int vocabMax, long seed) {
    public PromptFactory {
        if (vocabMin < 0 || vocabMax < vocabMin) {
            throw new IllegalArgumentException("--vocab-min/--vocab-max need 0 <= min <= max, got " + vocabMin + ".." + vocabMax);
        }
    }

    /** {@code length} ids in [vocabMin, vocabMax] (both inclusive) for request {@code index}. */
    public int[] tokens(int index, int length) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(vocabMin, vocabMax + 1);
        }
        return ids;
    }
}
