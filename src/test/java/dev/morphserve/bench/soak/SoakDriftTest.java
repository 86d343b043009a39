package dev.morphserve.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakDriftTest {
    private static final WindowStats EMPTY = WindowStats.of(List.of());

    @Test
    void thirtyMinutesCompareMinutesOneToSixWithTheLastFive() {
        SoakDrift drift = SoakDrift.compute(1800, List.of(), List.of());
        assertThat(drift.first()).isEqualTo(new SoakDrift.Phase(60, 360));
        assertThat(drift.last()).isEqualTo(new SoakDrift.Phase(1500, 1800));
    }

    @Test
    void shortRunsScaleThePhasesDown() {
        SoakDrift drift = SoakDrift.compute(30, List.of(), List.of());
        assertThat(drift.first()).isEqualTo(new SoakDrift.Phase(3, 12));
        assertThat(drift.last()).isEqualTo(new SoakDrift.Phase(21, 30));
    }

    @Test
    void ratiosAreLateOverEarlyOfPhaseMeansAndPooledPercentiles() {
        List<SoakSample> samples = new ArrayList<>();
        List<SoakLedger.Timed> timed = new ArrayList<>();
        for (int t = 10; t <= 1800; t += 10) {
            boolean late = t > 1500;
            long rss = (late ? 300 : 200) * 1_000_000L;
            samples.add(new SoakSample(t, rss, late ? 60 : 40, null, 0, 0, 10, 10, 0, EMPTY));
            for (int i = 1; i <= 10; i++) {
                // early TTFTs 1..10 ms (p90 9.1), late ones 10..100 ms (p90 91); TPOT 2 then 3
                timed.add(new SoakLedger.Timed(t - 0.5, late ? 10.0 * i : i, late ? 3.0 : 2.0));
            }
        }
        // samples during the warm-up must not count: a huge RSS there would move the early mean
        samples.add(0, new SoakSample(5, 9_000_000_000L, 999, null, null, null, null, null, null, EMPTY));
        Map<String, SoakDrift.Row> rows = byMetric(SoakDrift.compute(1800, samples, timed));
        assertThat(rows.get("RSS (MB)").first()).isCloseTo(200, within(1e-9));
        assertThat(rows.get("RSS (MB)").ratio()).isCloseTo(1.5, within(1e-9));
        assertThat(rows.get("threads").ratio()).isCloseTo(1.5, within(1e-9));
        assertThat(rows.get("TTFT p90 (ms)").first()).isCloseTo(9.1, within(1e-9));
        assertThat(rows.get("TTFT p90 (ms)").ratio()).isCloseTo(10, within(1e-9));
        assertThat(rows.get("TPOT p50 (ms)").ratio()).isCloseTo(1.5, within(1e-9));
        assertThat(rows.get("heap used (MB)").ratio()).as("no heap figures, no ratio").isNull();
    }

    @Test
    void noRatioWithoutAnEarlyValue() {
        assertThat(SoakDrift.row("x", 0.0, 5.0).ratio()).isNull();
        assertThat(SoakDrift.row("x", null, 5.0).ratio()).isNull();
        assertThat(SoakDrift.row("x", 4.0, 5.0).ratio()).isEqualTo(1.25);
    }

    private static Map<String, SoakDrift.Row> byMetric(SoakDrift drift) {
        Map<String, SoakDrift.Row> rows = new java.util.HashMap<>();
        drift.rows().forEach(r -> rows.put(r.metric(), r));
        return rows;
    }
}
