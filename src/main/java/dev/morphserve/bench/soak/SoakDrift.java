package dev.morphserve.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Drift: the same figures over an early and a late phase of the run, and their ratio (late over
 * early; 1.00 is no drift). The early phase starts after a warm-up, so JIT compilation and cache
 * growth do not count as drift. A 30-minute run compares minutes 1-6 with 25-30; a shorter run
 * scales both down (warm-up a tenth of the run, phases a third of the rest) so that its summary
 * still means the same thing.
 */
public record SoakDrift(Phase first, Phase last, List<Row> rows) {
    static final double MAX_WARM_UP_SECONDS = 60;
    static final double MAX_PHASE_SECONDS = 300;

    /** {@code (fromSeconds, toSeconds]} of the run. */
    public record Phase(double fromSeconds, double toSeconds) {
        boolean contains(double tSeconds) {
            return tSeconds > fromSeconds && tSeconds <= toSeconds;
        }
    }

    /** One metric; {@code ratio} is null where either side has no data or the early value is 0. */
    public record Row(String metric, Double first, Double last, Double ratio) {}

    public static SoakDrift compute(double durationSeconds, List<SoakSample> samples, List<SoakLedger.Timed> timed) {
        double warmUp = Math.min(MAX_WARM_UP_SECONDS, durationSeconds / 10);
        double length = Math.min(MAX_PHASE_SECONDS, (durationSeconds - warmUp) / 3);
        Phase first = new Phase(warmUp, warmUp + length);
        Phase last = new Phase(durationSeconds - length, durationSeconds);
        List<Row> rows = new ArrayList<>();
        rows.add(row("RSS (MB)", mean(samples, first, s -> s.rssBytes() / 1e6), mean(samples, last, s -> s.rssBytes() / 1e6)));
        rows.add(row("threads", mean(samples, first, s -> (double) s.threads()), mean(samples, last, s -> (double) s.threads())));
        rows.add(row("heap used (MB)", mean(samples, first, SoakDrift::heapMb), mean(samples, last, SoakDrift::heapMb)));
        rows.add(row("TTFT p90 (ms)", pooled(timed, first, SoakLedger.Timed::ttftMs, 90), pooled(timed, last, SoakLedger.Timed::ttftMs, 90)));
        rows.add(row("TPOT p50 (ms)", pooled(timed, first, SoakLedger.Timed::tpotMs, 50), pooled(timed, last, SoakLedger.Timed::tpotMs, 50)));
        return new SoakDrift(first, last, List.copyOf(rows));
    }

    static Row row(String metric, Double first, Double last) {
        Double ratio = first != null && last != null && first > 0 ? last / first : null;
        return new Row(metric, first, last, ratio);
    }

    private static Double heapMb(SoakSample s) {
        return s.heapUsedBytes() == null ? null : s.heapUsedBytes() / 1e6;
    }

    /** Mean over the samples taken in the phase (a sample at t stands for the window ending at t). */
    static Double mean(List<SoakSample> samples, Phase phase, Function<SoakSample, Double> value) {
        double[] values = samples.stream().filter(s -> phase.contains(s.tSeconds())).map(value).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).toArray();
        return values.length == 0 ? null : java.util.Arrays.stream(values).average().orElseThrow();
    }

    /**
     * A percentile of every request that ended in the phase, pooled: the mean of per-window p90s
     * would weigh a quiet window like a busy one.
     */
    static Double pooled(List<SoakLedger.Timed> timed, Phase phase, Function<SoakLedger.Timed, Double> value, double p) {
        double[] values = timed.stream().filter(t -> phase.contains(t.endSeconds())).map(value).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).toArray();
        return WindowStats.percentile(values, p);
    }
}
