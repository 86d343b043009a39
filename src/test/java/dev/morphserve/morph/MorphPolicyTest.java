package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.engine.EngineStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class MorphPolicyTest {
    private static final long MS = 1_000_000L;
    private static final List<Integer> ORDER = List.of(3, 1, 0, 2, 7, 6, 5, 4); // safest first
    private final MorphPolicy policy = new MorphPolicy(new MorphPolicy.Thresholds(0.85, 100 * MS, 0.5, 1000 * MS, 5000 * MS));

    private static EngineStats stats(int waiting, int totalBlocks, int freeBlocks, long oldestWaitMs, int neededByWaiting) {
        return new EngineStats(4, waiting, totalBlocks, freeBlocks, 0, oldestWaitMs * MS, neededByWaiting, 100, 1, 0);
    }

    @Test
    void swapsDownEnoughLayersForTheDeficitOnlyAfterPressureHolds() {
        EngineStats pressure = stats(6, 100, 2, 400, 52); // deficit 50 blocks
        assertThat(policy.decide(0, pressure, MorphMode.PERFORMANCE, ORDER, List.of(), 20)).isEmpty();
        assertThat(policy.decide(500 * MS, pressure, MorphMode.PERFORMANCE, ORDER, List.of(), 20)).isEmpty();
        var decision = policy.decide(1000 * MS, pressure, MorphMode.PERFORMANCE, ORDER, List.of(), 20).orElseThrow();
        // ceil(50 / 20) = 3 layers, safest first.
        assertThat(decision).isEqualTo(new MorphPolicy.Decision.SwapDown(List.of(3, 1, 0), decision.reason()));
    }

    @Test
    void pressureThatStopsResetsTheHysteresis() {
        EngineStats pressure = stats(6, 100, 2, 400, 52);
        EngineStats normal = stats(0, 100, 40, 0, 0);
        policy.decide(0, pressure, MorphMode.PERFORMANCE, ORDER, List.of(), 20);
        policy.decide(600 * MS, normal, MorphMode.PERFORMANCE, ORDER, List.of(), 20);
        assertThat(policy.decide(1200 * MS, pressure, MorphMode.PERFORMANCE, ORDER, List.of(), 20)).isEmpty();
    }

    @Test
    void accuracyModeCapsAtAQuarterOfTheLayersAndWaitsLonger() {
        EngineStats pressure = stats(6, 100, 0, 400, 500);
        policy.decide(0, pressure, MorphMode.ACCURACY, ORDER, List.of(), 20);
        assertThat(policy.decide(1000 * MS, pressure, MorphMode.ACCURACY, ORDER, List.of(), 20)).isEmpty();
        var decision = policy.decide(2000 * MS, pressure, MorphMode.ACCURACY, ORDER, List.of(), 20).orElseThrow();
        assertThat(((MorphPolicy.Decision.SwapDown) decision).layers()).containsExactly(3, 1);
        // Already at the cap: nothing more to swap.
        assertThat(policy.decide(5000 * MS, pressure, MorphMode.ACCURACY, ORDER, List.of(3, 1), 20)).isEmpty();
    }

    @Test
    void calmSwapsBackTheMostImportantSwappedLayerFirst() {
        EngineStats calm = stats(0, 160, 150, 0, 0);
        assertThat(policy.decide(0, calm, MorphMode.PERFORMANCE, ORDER, List.of(3, 1, 0), 20)).isEmpty();
        var decision = policy.decide(5000 * MS, calm, MorphMode.PERFORMANCE, ORDER, List.of(3, 1, 0), 20).orElseThrow();
        assertThat(decision).isEqualTo(new MorphPolicy.Decision.SwapUp(0, decision.reason()));
    }

    @Test
    void offModeSwapsEverythingBack() {
        var decision = policy.decide(0, stats(3, 100, 0, 500, 50), MorphMode.OFF, ORDER, List.of(3), 20).orElseThrow();
        assertThat(decision).isEqualTo(new MorphPolicy.Decision.SwapUp(3, decision.reason()));
    }

    @Test
    void manualModeNeverDecidesWhateverTheLoad() {
        EngineStats pressure = stats(3, 100, 0, 500, 50);
        EngineStats calm = stats(0, 160, 150, 0, 0);
        for (long t = 0; t <= 60_000; t += 500) {
            assertThat(policy.decide(t * MS, t % 1000 == 0 ? pressure : calm, MorphMode.MANUAL, ORDER, List.of(3, 1), 20)).isEmpty();
        }
        assertThat(policy.decide(61_000 * MS, pressure, MorphMode.MANUAL, ORDER, List.of(3, 1, 0, 2), 20)).isEmpty();
    }
}
