package dev.morphserve.bench;

import java.util.Arrays;

/**
 * Percentiles by linear interpolation between closest ranks, the definition of numpy's default
 * {@code np.percentile} that vLLM's benchmark reports, so our numbers compare one to one.
 */
public final class Percentiles {
    private Percentiles() {}

    /**
     * @param sorted ascending values, not empty
     * @param p      percentile in [0, 100]
     */
    public static double ofSorted(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("percentile of an empty sample");
        }
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + p);
        }
        double rank = p / 100.0 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = rank - below;
        return sorted[below] + (sorted[above] - sorted[below]) * fraction;
    }

    public static double of(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return ofSorted(sorted, p);
    }
}
