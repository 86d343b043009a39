package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.engine.EngineStats;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MorphPolicyTest {
    private static final long MS = 1_000_000L;
    private static final List<Integer> ORDER = List.of(3, 1, 0, 2, 7, 6, 5, 4); // safest first
    private static final long BLOCK = 1000;
    private final MorphPolicy policy = new MorphPolicy(new MorphPolicy.Thresholds(0.85, 100 * MS, 0.5, 2000 * MS, 200 * MS, 1000 * MS, 5000 * MS));

    private static EngineStats stats(int waiting, int totalBlocks, int freeBlocks, long oldestWaitMs, int neededByWaiting) {
        return new EngineStats(4, waiting, totalBlocks, freeBlocks, 0, oldestWaitMs * MS, neededByWaiting, 100, 1, 0, 0, 0);
    }

    /** 8 layers of 60 blocks at base, 32 at Q8_0, 18 at Q4_0: steps free 28 then 14 blocks. */
    private static MorphPolicy.LayerView view(int[] levels, Set<Integer> moving, int idleChunks) {
        long[][] bytes = new long[8][];
        for (int l = 0; l < 8; l++) {
            bytes[l] = new long[] {60 * BLOCK, 32 * BLOCK, 18 * BLOCK};
        }
        return new MorphPolicy.LayerView(ORDER, levels, moving, bytes, BLOCK, idleChunks);
    }

    private static int[] levels(int... byLayer) {
        int[] levels = new int[8];
        System.arraycopy(byLayer, 0, levels, 0, byLayer.length);
        return levels;
    }

    private static final int[] ALL_BASE = new int[8];

    @Test
    void swapsDownEnoughLayersForTheDeficitOnlyAfterPressureHolds() {
        EngineStats pressure = stats(6, 100, 2, 400, 72); // deficit 70 blocks
        assertThat(policy.decide(0, pressure, MorphMode.BALANCED, view(ALL_BASE, Set.of(), 0))).isEmpty();
        assertThat(policy.decide(500 * MS, pressure, MorphMode.BALANCED, view(ALL_BASE, Set.of(), 0))).isEmpty();
        var decision = policy.decide(1000 * MS, pressure, MorphMode.BALANCED, view(ALL_BASE, Set.of(), 0)).orElseThrow();
        // 28 blocks a first step: ceil(70 / 28) = 3 layers, safest first, one level each.
        assertThat(decision).isEqualTo(new MorphPolicy.Decision.SwapDown(List.of(3, 1, 0), decision.reason()));
    }

    @Test
    void aSecondLevelComesOnlyAfterEveryAllowedLayerTookTheFirst() {
        EngineStats pressure = stats(6, 100, 0, 400, 40);
        // Balanced allows 4 layers (3, 1, 0, 2); all at Q8_0 already, so the next steps go to Q4_0 in the same order.
        int[] atFirst = levels(1, 1, 1, 1);
        policy.decide(0, pressure, MorphMode.BALANCED, view(atFirst, Set.of(), 0));
        var decision = policy.decide(1000 * MS, pressure, MorphMode.BALANCED, view(atFirst, Set.of(), 0)).orElseThrow();
        assertThat(((MorphPolicy.Decision.SwapDown) decision).layers()).containsExactly(3, 1, 0);
    }

    @Test
    void movingLayersAreLeftAlone() {
        EngineStats pressure = stats(6, 100, 0, 400, 20);
        policy.decide(0, pressure, MorphMode.PERFORMANCE, view(ALL_BASE, Set.of(3), 0));
        var decision = policy.decide(500 * MS, pressure, MorphMode.PERFORMANCE, view(ALL_BASE, Set.of(3), 0)).orElseThrow();
        assertThat(((MorphPolicy.Decision.SwapDown) decision).layers()).containsExactly(1);
    }

    @Test
    void pressureThatStopsResetsTheHysteresis() {
        EngineStats pressure = stats(6, 100, 2, 400, 52);
        EngineStats normal = stats(0, 100, 40, 0, 0);
        policy.decide(0, pressure, MorphMode.BALANCED, view(ALL_BASE, Set.of(), 0));
        policy.decide(600 * MS, normal, MorphMode.BALANCED, view(ALL_BASE, Set.of(), 0));
        assertThat(policy.decide(1200 * MS, pressure, MorphMode.BALANCED, view(ALL_BASE, Set.of(), 0))).isEmpty();
    }

    @Test
    void accuracyModeCapsAtAQuarterOfTheLayersOneLevelDownAndWaitsLonger() {
        EngineStats pressure = stats(6, 100, 0, 400, 500);
        policy.decide(0, pressure, MorphMode.ACCURACY, view(ALL_BASE, Set.of(), 0));
        assertThat(policy.decide(1000 * MS, pressure, MorphMode.ACCURACY, view(ALL_BASE, Set.of(), 0))).isEmpty();
        var decision = policy.decide(2000 * MS, pressure, MorphMode.ACCURACY, view(ALL_BASE, Set.of(), 0)).orElseThrow();
        assertThat(((MorphPolicy.Decision.SwapDown) decision).layers()).containsExactly(3, 1);
        // At the cap (two layers at the first level): nothing more, not even a second level.
        assertThat(policy.decide(5000 * MS, pressure, MorphMode.ACCURACY, view(levels(0, 1, 0, 1), Set.of(), 0))).isEmpty();
    }

    @Test
    void performanceModeActsAfterHalfTheWindow() {
        EngineStats pressure = stats(6, 100, 0, 400, 10);
        policy.decide(0, pressure, MorphMode.PERFORMANCE, view(ALL_BASE, Set.of(), 0));
        assertThat(policy.decide(500 * MS, pressure, MorphMode.PERFORMANCE, view(ALL_BASE, Set.of(), 0))).isPresent();
    }

    @Test
    void slowFirstTokensWithRequestsWaitingArePressureToo() {
        EngineStats slow = new EngineStats(4, 2, 100, 50, 0, 10 * MS, 4, 100, 1, 0, 3000 * MS, 20 * MS);
        policy.decide(0, slow, MorphMode.PERFORMANCE, view(ALL_BASE, Set.of(), 0));
        assertThat(policy.decide(500 * MS, slow, MorphMode.PERFORMANCE, view(ALL_BASE, Set.of(), 0))).isPresent();
    }

    @Test
    void calmGivesBackIdleKvFirstThenSwapsUpTheDeepestMostImportantLayer() {
        EngineStats calm = stats(0, 160, 150, 0, 0);
        int[] swapped = levels(2, 1, 0, 2); // layers 3 and 0 at Q4_0, layer 1 at Q8_0
        assertThat(policy.decide(0, calm, MorphMode.PERFORMANCE, view(swapped, Set.of(), 1))).isEmpty();
        var first = policy.decide(5000 * MS, calm, MorphMode.PERFORMANCE, view(swapped, Set.of(), 1)).orElseThrow();
        assertThat(first).isInstanceOf(MorphPolicy.Decision.ShrinkKv.class);
        var second = policy.decide(10_000 * MS, calm, MorphMode.PERFORMANCE, view(swapped, Set.of(), 0)).orElseThrow();
        // Of the layers at the deepest level (3 and 0), 0 comes later in the order: it is the more important.
        assertThat(second).isEqualTo(new MorphPolicy.Decision.SwapUp(0, second.reason()));
    }

    @Test
    void slowDecodeHoldsSwapUpsBack() {
        EngineStats calmButSlow = new EngineStats(4, 0, 160, 150, 0, 0, 0, 100, 1, 0, 0, 500 * MS);
        policy.decide(0, calmButSlow, MorphMode.PERFORMANCE, view(levels(1), Set.of(), 0));
        assertThat(policy.decide(6000 * MS, calmButSlow, MorphMode.PERFORMANCE, view(levels(1), Set.of(), 0))).isEmpty();
    }

    @Test
    void offModeSwapsEverythingBack() {
        var decision = policy.decide(0, stats(3, 100, 0, 500, 50), MorphMode.OFF, view(levels(0, 0, 0, 1), Set.of(), 0)).orElseThrow();
        assertThat(decision).isEqualTo(new MorphPolicy.Decision.SwapUp(3, decision.reason()));
    }

    @Test
    void aModeWithALowerCapSwapsTheExtraLayersUp() {
        // Accuracy allows layers 3 and 1 at the first level only: layer 0 (not allowed) goes up first.
        var decision = policy.decide(0, stats(0, 100, 50, 0, 0), MorphMode.ACCURACY, view(levels(1, 1, 0, 1), Set.of(), 0)).orElseThrow();
        assertThat(decision).isEqualTo(new MorphPolicy.Decision.SwapUp(0, decision.reason()));
    }

    @Test
    void manualModeNeverDecidesWhateverTheLoad() {
        EngineStats pressure = stats(3, 100, 0, 500, 50);
        EngineStats calm = stats(0, 160, 150, 0, 0);
        for (long t = 0; t <= 60_000; t += 500) {
            assertThat(policy.decide(t * MS, t % 1000 == 0 ? pressure : calm, MorphMode.MANUAL, view(levels(0, 1, 0, 1), Set.of(), 1))).isEmpty();
        }
    }
}
