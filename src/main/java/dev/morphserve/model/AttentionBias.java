package dev.morphserve.model;

/**
 * The additive biases some architectures put on the attention projections (qwen2 has them on Q, K
 * and V; llama has none). Added right after the matmul, before RoPE, as llama.cpp does.
 */
public sealed interface AttentionBias {

    /** No biases: the projections are plain matmuls. */
    AttentionBias NONE = new None();

    /** Adds the biases to {@code numTokens} rows of q [T x dim], k and v [T x kvDim]. */
    void addTo(float[] q, float[] k, float[] v, int numTokens);

    record None() implements AttentionBias {
        @Override
        public void addTo(float[] q, float[] k, float[] v, int numTokens) {}
    }

    /**
     * @param q [dim]   @param k [kvDim]   @param v [kvDim]
     */
    record Qkv(float[] q, float[] k, float[] v) implements AttentionBias {
        @Override
        public void addTo(float[] qRows, float[] kRows, float[] vRows, int numTokens) {
            addRows(qRows, q, numTokens);
            addRows(kRows, k, numTokens);
            addRows(vRows, v, numTokens);
        }

        private static void addRows(float[] rows, float[] bias, int numTokens) {
            for (int t = 0; t < numTokens; t++) {
                int at = t * bias.length;
                for (int i = 0; i < bias.length; i++) {
                    rows[at + i] += bias[i];
                }
            }
        }
    }
}
