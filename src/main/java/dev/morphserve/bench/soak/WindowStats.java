package dev.morphserve.bench.soak;

import dev.morphserve.bench.Percentiles;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The requests that ended within one sample window: latency percentiles of the timed streams
 * (null when none ended in the window) and counts by outcome.
 */
public record WindowStats(int timedRequests, Double ttftP50Ms, Double ttftP90Ms, Double tpotP50Ms, Map<SoakOutcome, Integer> outcomes) {

    public static WindowStats of(List<SoakResult> results) {
        Map<SoakOutcome, Integer> outcomes = new EnumMap<>(SoakOutcome.class);
        for (SoakOutcome outcome : SoakOutcome.values()) {
            outcomes.put(outcome, 0);
        }
        results.forEach(r -> outcomes.merge(r.outcome(), 1, Integer::sum));
        double[] ttft = results.stream().map(SoakResult::ttftMs).filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        double[] tpot = results.stream().map(SoakResult::tpotMs).filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        return new WindowStats(ttft.length, percentile(ttft, 50), percentile(ttft, 90), percentile(tpot, 50), Map.copyOf(outcomes));
    }

    public int requests() {
        return outcomes.values().stream().mapToInt(Integer::intValue).sum();
    }

    static Double percentile(double[] values, double p) {
        return values.length == 0 ? null : Percentiles.of(values, p);
    }
}
