package dev.morphserve.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Computes {@link ServingMetrics} from the per-request records of a run. */
public final class MetricsCalculator {
    private MetricsCalculator() {}

    public static ServingMetrics compute(List<RequestRecord> records, double durationMs, SloTargets slo) {
        List<Double> ttft = new ArrayList<>();
        List<Double> tpot = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        List<Double> e2e = new ArrayList<>();
        Map<String, Integer> errors = new TreeMap<>();
        long promptTokens = 0;
        long outputTokens = 0;
        int completed = 0;
        int shortOutputs = 0;
        int good = 0;
        int ttftMisses = 0;
        int tpotMisses = 0;
        for (RequestRecord r : records) {
            boolean meetsTtft = slo.meetsTtft(r);
            boolean meetsTpot = slo.meetsTpot(r);
            ttftMisses += meetsTtft ? 0 : 1;
            tpotMisses += meetsTpot ? 0 : 1;
            if (!r.success()) {
                errors.merge(r.errorKind() != null ? r.errorKind() : "unknown", 1, Integer::sum);
                continue;
            }
            completed++;
            good += meetsTtft && meetsTpot ? 1 : 0;
            promptTokens += r.promptTokens();
            outputTokens += r.outputTokens();
            shortOutputs += r.outputTokens() < r.requestedOutputTokens() ? 1 : 0;
            ttft.add(r.ttftMs());
            e2e.add(r.e2eMs());
            itl.addAll(r.itlMs());
            if (r.tpotMs() != null) {
                tpot.add(r.tpotMs());
            }
        }
        double durationS = durationMs / 1000.0;
        int total = records.size();
        return new ServingMetrics(
                total, completed, total - completed, errors, durationS, promptTokens, outputTokens, shortOutputs,
                perSecond(completed, durationS), perSecond(outputTokens, durationS), perSecond(promptTokens + outputTokens, durationS),
                LatencyStats.of(ttft), LatencyStats.of(tpot), LatencyStats.of(itl), LatencyStats.of(e2e),
                slo, good, perSecond(good, durationS),
                share(ttftMisses, total), slo.tpotMs() == null ? null : share(tpotMisses, total));
    }

    private static double perSecond(double count, double durationS) {
        return durationS > 0 ? count / durationS : 0;
    }

    private static double share(int part, int total) {
        return total == 0 ? 0 : (double) part / total;
    }
}
