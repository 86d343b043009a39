package dev.morphserve.bench;

import java.util.List;
import java.util.Map;

/**
 * One configuration's result in a comparison: the load run's report plus what the server counted
 * while it ran.
 *
 * @param tokensBySwappedLayers generated tokens by the number of layers swapped when each was
 *                              generated (differences of the server's counters over the run)
 * @param preemptions           requests preempted during the run
 * @param numLayers             decoder layers of the served model
 */
public record CompareRun(CompareConfig config, BenchReport report, Map<Integer, Long> tokensBySwappedLayers, long preemptions,
        int numLayers) {

    public CompareRun {
        tokensBySwappedLayers = Map.copyOf(tokensBySwappedLayers);
    }

    public long generatedTokens() {
        return tokensBySwappedLayers.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Share of generated tokens produced with at least one layer swapped. */
    public double swappedTokenShare() {
        long all = generatedTokens();
        long swapped = all - tokensBySwappedLayers.getOrDefault(0, 0L);
        return all == 0 ? 0 : (double) swapped / all;
    }

    /** Swapped layers averaged over the run's time (step function through the server samples). */
    public double timeWeightedSwappedLayers() {
        List<ServerStateSampler.ServerSample> samples = report.serverState();
        if (samples.size() < 2) {
            return samples.isEmpty() ? 0 : samples.getFirst().swappedLayers();
        }
        double area = 0;
        for (int i = 1; i < samples.size(); i++) {
            area += samples.get(i - 1).swappedLayers() * (samples.get(i).tMs() - samples.get(i - 1).tMs());
        }
        return area / (samples.getLast().tMs() - samples.getFirst().tMs());
    }

    public int maxSwappedLayers() {
        return report.serverState().stream().mapToInt(ServerStateSampler.ServerSample::swappedLayers).max().orElse(0);
    }

    /** KV capacity in tokens at the first sample: the configuration's starting capacity. */
    public int startKvTokens() {
        var samples = report.serverState();
        return samples.isEmpty() ? 0 : samples.getFirst().kvTotalBlocks() * samples.getFirst().kvBlockTokens();
    }
}
