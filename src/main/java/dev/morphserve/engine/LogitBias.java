package dev.morphserve.engine;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAI's {@code logit_bias}: values added to chosen tokens' logits before sampling (and before
 * greedy argmax). Immutable: the arrays are copied in and never handed out.
 *
 * @param tokenIds ids, ascending and distinct
 * @param biases   the bias of each id, finite and within [-100, 100] (OpenAI's range)
 */
public record LogitBias(int[] tokenIds, float[] biases) {
    public static final float MAX_ABS_BIAS = 100f;
    public static final LogitBias NONE = new LogitBias(new int[0], new float[0]);

    public LogitBias {
        if (tokenIds.length != biases.length) {
            throw new IllegalArgumentException("logit_bias: " + tokenIds.length + " ids but " + biases.length + " biases");
        }
        tokenIds = tokenIds.clone();
        biases = biases.clone();
        for (int i = 0; i < tokenIds.length; i++) {
            if (tokenIds[i] < 0 || (i > 0 && tokenIds[i] <= tokenIds[i - 1])) {
                throw new IllegalArgumentException("logit_bias ids must be distinct, ascending and >= 0: " + Arrays.toString(tokenIds));
            }
            if (!(Math.abs(biases[i]) <= MAX_ABS_BIAS)) {
                throw new IllegalArgumentException("logit_bias values must be in [-100, 100], got " + biases[i]);
            }
        }
    }

    /** From a map of id to bias (any order). */
    public static LogitBias of(Map<Integer, Float> bias) {
        if (bias.isEmpty()) {
            return NONE;
        }
        TreeMap<Integer, Float> sorted = new TreeMap<>(bias);
        int[] ids = sorted.keySet().stream().mapToInt(Integer::intValue).toArray();
        float[] values = new float[ids.length];
        int i = 0;
        for (float v : sorted.values()) {
            values[i++] = v;
        }
        return new LogitBias(ids, values);
    }

    public boolean isEmpty() {
        return tokenIds.length == 0;
    }

    /** Adds the biases to {@code logits[offset .. offset + vocab)} in place. */
    void apply(float[] logits, int offset, int vocab) {
        for (int i = 0; i < tokenIds.length; i++) {
            if (tokenIds[i] >= vocab) {
                throw new IllegalArgumentException("logit_bias names token " + tokenIds[i] + ", outside the vocabulary of " + vocab);
            }
            logits[offset + tokenIds[i]] += biases[i];
        }
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public float[] biases() {
        return biases.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogitBias other && Arrays.equals(tokenIds, other.tokenIds) && Arrays.equals(biases, other.biases);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokenIds) + Arrays.hashCode(biases);
    }

    @Override
    public String toString() {
        return "LogitBias" + Arrays.toString(tokenIds) + "=" + Arrays.toString(biases);
    }
}
