package dev.morphserve.morph;

import dev.morphserve.engine.EngineStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's decision rule, free of clocks and beans so that it can be tested on made-up
 * statistics. Pressure (KV usage or queueing delay above its trigger, or requests waiting while
 * recent TTFT misses its target) held for the mode's hysteresis steps layers down along the
 * ladder until the freed blocks cover the deficit; calm held for the cool-down first gives back
 * idle KV chunks, then steps the most important swapped layer back up, one per decision, unless
 * decode is already slower than its TPOT target.
 *
 * <pre>
 * ladder(mode) = (p0,1) (p1,1) .. (pk,1) (p0,2) .. (pk,2) ..   p = LIS order, k = mode's layer cap, levels to the mode's floor
 * </pre>
 */
public final class MorphPolicy {

    /** Triggers and windows (see {@code MorphConfig} for defaults). */
    public record Thresholds(double kvUsageHigh, long queueDelayHighNanos, double kvUsageLow, long ttftTargetNanos,
            long tpotTargetNanos, long hysteresisNanos, long cooldownNanos) {}

    /**
     * What the controller knows of the model's layers.
     *
     * @param swapOrder        layers, safest to swap first
     * @param levels           each layer's level now (0 = base)
     * @param moving           layers whose copy is under way (left alone)
     * @param layerBytes       [layer][level] resident bytes
     * @param blockBytes       bytes of one KV block
     * @param idleGrownChunks  grown KV chunks with no live block
     */
    public record LayerView(List<Integer> swapOrder, int[] levels, Set<Integer> moving, long[][] layerBytes, long blockBytes,
            int idleGrownChunks) {
        int numLevels() {
            return layerBytes[0].length - 1;
        }

        List<Integer> swapped() {
            List<Integer> swapped = new ArrayList<>();
            for (int l : swapOrder) {
                if (levels[l] > 0) {
                    swapped.add(l);
                }
            }
            return swapped;
        }
    }

    /** A decision: layers to step down (in order), one layer to step up, or idle KV to give back. */
    public sealed interface Decision {
        String reason();

        record SwapDown(List<Integer> layers, String reason) implements Decision {}

        record SwapUp(int layer, String reason) implements Decision {}

        record ShrinkKv(String reason) implements Decision {}
    }

    private final Thresholds thresholds;
    private long pressureSinceNanos = -1;
    private long calmSinceNanos = -1;

    public MorphPolicy(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    public Optional<Decision> decide(long nowNanos, EngineStats stats, MorphMode mode, LayerView view) {
        if (mode == MorphMode.MANUAL || mode == MorphMode.OFF && view.swapped().isEmpty()) {
            pressureSinceNanos = -1;
            calmSinceNanos = -1;
            return Optional.empty();
        }
        boolean slowFirstTokens = thresholds.ttftTargetNanos() > 0 && stats.recentTtftNanos() > thresholds.ttftTargetNanos()
                && stats.numWaiting() > 0;
        boolean pressure = stats.kvUsage() > thresholds.kvUsageHigh() || stats.oldestWaitingNanos() > thresholds.queueDelayHighNanos()
                || slowFirstTokens;
        boolean calm = stats.numWaiting() == 0 && stats.kvUsage() < thresholds.kvUsageLow()
                && (stats.recentTtftNanos() == 0 || stats.recentTtftNanos() < thresholds.ttftTargetNanos() / 2);
        pressureSinceNanos = pressure ? (pressureSinceNanos < 0 ? nowNanos : pressureSinceNanos) : -1;
        calmSinceNanos = calm ? (calmSinceNanos < 0 ? nowNanos : calmSinceNanos) : -1;

        Optional<Integer> overCap = overCap(mode, view);
        if (overCap.isPresent()) {
            return Optional.of(new Decision.SwapUp(overCap.get(), "mode " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " allows no layer " + overCap.get() + " at level " + view.levels()[overCap.get()]));
        }
        if (pressure && nowNanos - pressureSinceNanos >= mode.hysteresisNanos(thresholds.hysteresisNanos())) {
            int deficit = Math.max(1, stats.blocksNeededByWaiting() - stats.freeBlocks());
            List<Integer> next = stepsDown(mode, view, deficit);
            if (!next.isEmpty()) {
                pressureSinceNanos = nowNanos; // the next round must see pressure persist again
                return Optional.of(new Decision.SwapDown(next, "pressure: KV usage %.0f%%, oldest wait %d ms, TTFT p90 %d ms, deficit %d blocks"
                        .formatted(100 * stats.kvUsage(), stats.oldestWaitingNanos() / 1_000_000, stats.recentTtftNanos() / 1_000_000, deficit)));
            }
        }
        if (calm && nowNanos - calmSinceNanos >= thresholds.cooldownNanos()) {
            if (view.idleGrownChunks() > 0) {
                calmSinceNanos = nowNanos;
                return Optional.of(new Decision.ShrinkKv("calm: KV usage %.0f%%, %d grown chunks idle".formatted(100 * stats.kvUsage(), view.idleGrownChunks())));
            }
            boolean decodeSlow = thresholds.tpotTargetNanos() > 0 && stats.recentTpotNanos() > thresholds.tpotTargetNanos();
            Optional<Integer> up = nextUp(view);
            if (up.isPresent() && !decodeSlow) {
                calmSinceNanos = nowNanos;
                return Optional.of(new Decision.SwapUp(up.get(), "calm: KV usage %.0f%%, nobody waiting".formatted(100 * stats.kvUsage())));
            }
        }
        return Optional.empty();
    }

    /** Ladder steps whose layer is ready for them, in order, until their freed blocks cover {@code deficit}. */
    private static List<Integer> stepsDown(MorphMode mode, LayerView view, int deficit) {
        List<Integer> allowed = view.swapOrder().subList(0, Math.min(view.swapOrder().size(), mode.maxSwappedLayers(view.swapOrder().size())));
        List<Integer> picked = new ArrayList<>();
        long freedBlocks = 0;
        for (int level = 1; level <= mode.maxLevel(view.numLevels()) && freedBlocks < deficit; level++) {
            for (int l : allowed) {
                if (freedBlocks >= deficit) {
                    break;
                }
                if (view.levels()[l] == level - 1 && !view.moving().contains(l) && !picked.contains(l)) {
                    picked.add(l);
                    freedBlocks += Math.max(1, (view.layerBytes()[l][level - 1] - view.layerBytes()[l][level]) / view.blockBytes());
                }
            }
        }
        return picked;
    }

    /** A swapped layer the mode does not allow where it is (the mode changed), most important first. */
    private static Optional<Integer> overCap(MorphMode mode, LayerView view) {
        List<Integer> allowed = view.swapOrder().subList(0, Math.min(view.swapOrder().size(), mode.maxSwappedLayers(view.swapOrder().size())));
        int floor = mode.maxLevel(view.numLevels());
        List<Integer> swapped = view.swapped();
        for (int i = swapped.size() - 1; i >= 0; i--) {
            int l = swapped.get(i);
            if (!view.moving().contains(l) && (!allowed.contains(l) || view.levels()[l] > floor)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /** The reverse of the ladder: the deepest level first, the most important layer (latest in the order) first. */
    private static Optional<Integer> nextUp(LayerView view) {
        int deepest = 0;
        for (int l : view.swapped()) {
            deepest = Math.max(deepest, view.levels()[l]);
        }
        List<Integer> order = view.swapOrder();
        for (int i = order.size() - 1; i >= 0 && deepest > 0; i--) {
            int l = order.get(i);
            if (view.levels()[l] == deepest && !view.moving().contains(l)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}
