package dev.morphserve.study;

/**
 * Mean cosine similarity between two hidden-state matrices, taken per token (row) and averaged over
 * every token added, across windows. Accumulates in double: thousands of tokens of near-1 values
 * would lose the differences that rank layers in float.
 */
public final class CosineMean {
    private double sum;
    private long tokens;

    /**
     * Adds the cosines of the first {@code numTokens} rows of width {@code dim}. When {@code weight}
     * is given, both rows are scaled elementwise by it first (the final RMSNorm's gain: the model's
     * output head sees norm(h) * weight, and the per-token RMS factor cancels in a cosine).
     */
    public void add(float[] a, float[] b, int numTokens, int dim, float[] weight) {
        for (int t = 0; t < numTokens; t++) {
            sum += cosine(a, b, t * dim, dim, weight);
        }
        tokens += numTokens;
    }

    public double mean() {
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    public long tokens() {
        return tokens;
    }

    /** Cosine of one row pair; two zero rows count as identical, one zero row as orthogonal. */
    static double cosine(float[] a, float[] b, int offset, int dim, float[] weight) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < dim; i++) {
            double w = weight == null ? 1 : weight[i];
            double x = a[offset + i] * w;
            double y = b[offset + i] * w;
            dot += x * y;
            aa += x * x;
            bb += y * y;
        }
        if (aa == 0 && bb == 0) {
            return 1;
        }
        if (aa == 0 || bb == 0) {
            return 0;
        }
        return dot / Math.sqrt(aa * bb);
    }
}
