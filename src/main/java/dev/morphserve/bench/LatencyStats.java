package dev.morphserve.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * Summary of one latency metric in milliseconds. An empty sample (no completed request) gives
 * count 0 and NaN everywhere rather than zeros, so that "nothing measured" never reads as "instant".
 */
public record LatencyStats(int count, double meanMs, double p50Ms, double p90Ms, double p95Ms, double p99Ms) {

    public static LatencyStats of(double[] valuesMs) {
        if (valuesMs.length == 0) {
            return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = valuesMs.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).sum() / sorted.length;
        return new LatencyStats(sorted.length, mean,
                Percentiles.ofSorted(sorted, 50), Percentiles.ofSorted(sorted, 90),
                Percentiles.ofSorted(sorted, 95), Percentiles.ofSorted(sorted, 99));
    }

    public static LatencyStats of(Collection<Double> valuesMs) {
        return of(valuesMs.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
