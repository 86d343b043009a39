package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void linearInterpolationBetweenClosestRanksLikeNumpy() {
        // np.percentile([15, 20, 35, 40, 50], 40) == 29.0: rank 0.4 * 4 = 1.6, 20 + 0.6 * (35 - 20).
        assertThat(Percentiles.of(new double[] {50, 15, 40, 20, 35}, 40)).isCloseTo(29.0, within(1e-12));
        assertThat(Percentiles.of(new double[] {50, 15, 40, 20, 35}, 0)).isEqualTo(15);
        assertThat(Percentiles.of(new double[] {50, 15, 40, 20, 35}, 100)).isEqualTo(50);
        assertThat(Percentiles.of(new double[] {7}, 99)).isEqualTo(7);
    }

    @Test
    void latencyStatsOfOneToTen() {
        // Ranks: p50 = 4.5, p90 = 8.1, p95 = 8.55, p99 = 8.91 (0-based into 1..10).
        LatencyStats s = LatencyStats.of(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
        assertThat(s.count()).isEqualTo(10);
        assertThat(s.meanMs()).isCloseTo(5.5, within(1e-12));
        assertThat(s.p50Ms()).isCloseTo(5.5, within(1e-12));
        assertThat(s.p90Ms()).isCloseTo(9.1, within(1e-12));
        assertThat(s.p95Ms()).isCloseTo(9.55, within(1e-12));
        assertThat(s.p99Ms()).isCloseTo(9.91, within(1e-12));
    }

    @Test
    void emptySampleIsNaNNotZero() {
        LatencyStats s = LatencyStats.of(new double[0]);
        assertThat(s.count()).isZero();
        assertThat(s.p99Ms()).isNaN();
        assertThatThrownBy(() -> Percentiles.of(new double[0], 50)).hasMessageContaining("empty");
        assertThatThrownBy(() -> Percentiles.of(new double[] {1}, 101)).hasMessageContaining("[0, 100]");
    }
}
