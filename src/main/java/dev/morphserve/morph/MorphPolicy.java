package dev.morphserve.morph;

import dev.morphserve.engine.EngineStats;
import java.util.List;
import java.util.Optional;

/**
 * The controller's decision rule, free of clocks and beans so that it can be tested on made-up
 * statistics. Pressure (KV usage above a threshold, or requests queueing longer than a limit) held
 * for the hysteresis window swaps down {@code ceil(block deficit / blocks freed per layer)} layers
 * in importance order, capped by the mode; calm held for the cool-down window swaps back the most
 * important swapped layer, one at a time.
 */
public final class MorphPolicy {

    /** Thresholds and windows (see {@code MorphConfig} for defaults). */
    public record Thresholds(double kvUsageHigh, long queueDelayHighNanos, double kvUsageLow, long hysteresisNanos, long cooldownNanos) {}

    private final Thresholds thresholds;
    private long pressureSinceNanos = -1;
    private long calmSinceNanos = -1;

    public MorphPolicy(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** What to do now, given the latest stats; {@code swapOrder} lists layers safest first. */
    public Optional<Decision> decide(long nowNanos, EngineStats stats, MorphMode mode, List<Integer> swapOrder,
            List<Integer> swappedLayers, int blocksPerLayer) {
        if (mode == MorphMode.MANUAL) {
            pressureSinceNanos = -1;
            calmSinceNanos = -1;
            return Optional.empty();
        }
        boolean pressure = stats.kvUsage() > thresholds.kvUsageHigh() || stats.oldestWaitingNanos() > thresholds.queueDelayHighNanos();
        boolean calm = stats.numWaiting() == 0 && stats.kvUsage() < thresholds.kvUsageLow();
        pressureSinceNanos = pressure ? (pressureSinceNanos < 0 ? nowNanos : pressureSinceNanos) : -1;
        calmSinceNanos = calm ? (calmSinceNanos < 0 ? nowNanos : calmSinceNanos) : -1;
        // ACCURACY waits twice as long as PERFORMANCE before giving up precision.
        long hysteresis = mode == MorphMode.ACCURACY ? 2 * thresholds.hysteresisNanos() : thresholds.hysteresisNanos();
        if (pressure && nowNanos - pressureSinceNanos >= hysteresis) {
            int room = mode.maxSwappedLayers(swapOrder.size()) - swappedLayers.size();
            int deficit = Math.max(1, stats.blocksNeededByWaiting() - stats.freeBlocks());
            int wanted = Math.min(room, (deficit + blocksPerLayer - 1) / Math.max(1, blocksPerLayer));
            List<Integer> next = swapOrder.stream().filter(l -> !swappedLayers.contains(l)).limit(Math.max(0, wanted)).toList();
            if (!next.isEmpty()) {
                pressureSinceNanos = nowNanos; // the next round must see pressure persist again
                return Optional.of(new Decision.SwapDown(next, "pressure: KV usage %.0f%%, oldest wait %d ms, deficit %d blocks"
                        .formatted(100 * stats.kvUsage(), stats.oldestWaitingNanos() / 1_000_000, deficit)));
            }
        }
        boolean overCap = swappedLayers.size() > mode.maxSwappedLayers(swapOrder.size());
        if ((calm && nowNanos - calmSinceNanos >= thresholds.cooldownNanos() || overCap) && !swappedLayers.isEmpty()) {
            calmSinceNanos = nowNanos;
            int mostImportant = swapOrder.stream().filter(swappedLayers::contains).reduce((a, b) -> b).orElseThrow();
            return Optional.of(new Decision.SwapUp(mostImportant, overCap ? "mode " + mode + " allows fewer swapped layers"
                    : "calm: KV usage %.0f%%, nobody waiting".formatted(100 * stats.kvUsage())));
        }
        return Optional.empty();
    }

    /** A decision: layers to swap down (in order), or one layer to swap back up. */
    public sealed interface Decision {
        String reason();

        record SwapDown(List<Integer> layers, String reason) implements Decision {}

        record SwapUp(int layer, String reason) implements Decision {}
    }
}
