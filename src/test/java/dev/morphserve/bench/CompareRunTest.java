package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.morphserve.bench.ServerStateSampler.ServerSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompareRunTest {
    private static final SloTargets SLO = new SloTargets(2000, null);

    @Test
    void swappedLayersAreAveragedOverTimeAsAStepFunction() {
        // 0 layers for 1 s, 4 layers for 3 s: (0*1 + 4*3) / 4 = 3
        var run = run(CompareConfig.PERFORMANCE, List.of(sample(0, 0), sample(1000, 4), sample(4000, 4)), Map.of());
        assertThat(run.timeWeightedSwappedLayers()).isCloseTo(3.0, within(1e-12));
        assertThat(run.maxSwappedLayers()).isEqualTo(4);
        assertThat(run.startKvTokens()).isEqualTo(10 * 16);
    }

    @Test
    void swappedTokenShareCountsEveryTokenGeneratedWithALayerSwapped() {
        var run = run(CompareConfig.ACCURACY, List.of(), Map.of(0, 60L, 1, 30L, 3, 10L));
        assertThat(run.generatedTokens()).isEqualTo(100);
        assertThat(run.swappedTokenShare()).isCloseTo(0.4, within(1e-12));
        assertThat(run(CompareConfig.OFF, List.of(), Map.of()).swappedTokenShare()).isZero();
    }

    @Test
    void qualityIsWeightedByTheTokensGeneratedAtEachCount() {
        var quality = CompareQuality.of(Map.of(0, 4.0, 1, 5.0, 2, 8.0), 4.0);
        // (60*4 + 30*5 + 10*8) / 100 = 4.7
        assertThat(quality.weightedPerplexity(Map.of(0, 60L, 1, 30L, 2, 10L))).isCloseTo(4.7, within(1e-12));
        assertThat(quality.weightedPerplexity(Map.of())).isNaN();
        assertThatThrownBy(() -> quality.weightedPerplexity(Map.of(7, 1L))).hasMessageContaining("7 swapped layers");
    }

    @Test
    void servedCountsMapToTheSameShareOfAProxyModel() {
        assertThat(CompareQuality.qualityLayers(0, 12, 5)).isZero();
        assertThat(CompareQuality.qualityLayers(6, 12, 5)).isEqualTo(2.5);
        assertThat(CompareQuality.qualityLayers(12, 12, 5)).isEqualTo(5);
        assertThat(CompareQuality.qualityLayers(3, 5, 5)).isEqualTo(3);
        assertThat(CompareQuality.evaluations(5)).isEqualTo(6);
    }

    @Test
    void comparisonAgainstOffStatesTheCutInSloViolations() {
        ServingMetrics off = metrics(new double[] {500, 3000, 3000, 3000, 3000}); // 80 % over 2 s
        ServingMetrics morph = metrics(new double[] {500, 500, 500, 500, 3000}); // 20 % over 2 s
        assertThat(CompareReport.against(off, morph)).contains("80.0 % -> 20.0 %").contains("cut by 75 %");
    }

    private static ServingMetrics metrics(double[] ttftMs) {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < ttftMs.length; i++) {
            records.add(new RequestRecord(i, 0, 0, 10, 4, true, 200, null, null, ttftMs[i], List.of(10.0, 10.0, 10.0),
                    ttftMs[i] + 30, 4, true));
        }
        return MetricsCalculator.compute(records, 10_000, SLO);
    }

    private static ServerSample sample(double tMs, int swapped) {
        return new ServerSample(tMs, swapped, 10, 5, 16, 0, 1, 0);
    }

    private static CompareRun run(CompareConfig config, List<ServerSample> samples, Map<Integer, Long> tokens) {
        var report = new BenchReport(null, null, metrics(new double[] {100}), List.of(), samples);
        return new CompareRun(config, report, tokens, 0, 4);
    }
}
