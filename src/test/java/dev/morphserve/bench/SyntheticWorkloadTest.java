package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SyntheticWorkloadTest {
    private static final int SAMPLES = 40_000;

    @Test
    void poissonArrivalsHaveTheRequestedMeanAndCvOne() {
        double[] gaps = gaps(new SyntheticWorkload(SAMPLES + 1, 10, 1, LengthRange.fixed(1), LengthRange.fixed(1), 7));
        assertThat(mean(gaps)).isCloseTo(100.0, within(100.0 * 0.02));
        assertThat(cv(gaps)).isCloseTo(1.0, within(0.03));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.25, 0.5, 2, 4})
    void gammaArrivalsKeepTheMeanAndHaveCvOneOverSqrtBurstiness(double burstiness) {
        double[] gaps = gaps(new SyntheticWorkload(SAMPLES + 1, 4, burstiness, LengthRange.fixed(1), LengthRange.fixed(1), 11));
        assertThat(mean(gaps)).isCloseTo(250.0, within(250.0 * 0.03));
        double expectedCv = 1 / Math.sqrt(burstiness);
        assertThat(cv(gaps)).isCloseTo(expectedCv, within(expectedCv * 0.05));
    }

    @Test
    void infiniteRateSendsEverythingAtOnce() {
        List<TimedRequest> requests = new SyntheticWorkload(5, Double.POSITIVE_INFINITY, 1, LengthRange.fixed(3), LengthRange.fixed(4), 0)
                .requests();
        assertThat(requests).extracting(TimedRequest::arrivalMs).containsOnly(0.0);
        assertThat(requests).allSatisfy(r -> assertThat(r.promptTokens()).isEqualTo(3));
    }

    @Test
    void lengthsAreUniformInTheInclusiveRangeAndSeedsReproduce() {
        SyntheticWorkload workload = new SyntheticWorkload(5000, 100, 1, new LengthRange(10, 20), new LengthRange(1, 3), 42);
        List<TimedRequest> a = workload.requests();
        assertThat(a).allSatisfy(r -> {
            assertThat(r.promptTokens()).isBetween(10, 20);
            assertThat(r.outputTokens()).isBetween(1, 3);
        });
        assertThat(a).extracting(TimedRequest::promptTokens).contains(10, 20);
        assertThat(a.stream().mapToInt(TimedRequest::promptTokens).average().orElseThrow()).isCloseTo(15, within(0.3));
        assertThat(workload.requests()).isEqualTo(a);
        assertThat(new SyntheticWorkload(5000, 100, 1, new LengthRange(10, 20), new LengthRange(1, 3), 43).requests()).isNotEqualTo(a);
        // Arrivals do not depend on the length ranges.
        assertThat(new SyntheticWorkload(5000, 100, 1, LengthRange.fixed(5), LengthRange.fixed(5), 42).requests())
                .extracting(TimedRequest::arrivalMs)
                .isEqualTo(a.stream().map(TimedRequest::arrivalMs).toList());
    }

    @Test
    void gammaSamplerHasShapeTimesScaleMean() {
        GammaSampler sampler = new GammaSampler(3, 2, new SplittableRandom(1));
        double[] x = new double[SAMPLES];
        for (int i = 0; i < x.length; i++) {
            x[i] = sampler.next();
        }
        assertThat(mean(x)).isCloseTo(6, within(0.1));
        assertThat(cv(x)).isCloseTo(1 / Math.sqrt(3), within(0.02));
    }

    @Test
    void parsesLengthsAndRejectsBadOptions() {
        assertThat(LengthRange.parse("128")).isEqualTo(new LengthRange(128, 128));
        assertThat(LengthRange.parse(" 64:256 ")).isEqualTo(new LengthRange(64, 256));
        assertThatThrownBy(() -> LengthRange.parse("abc")).hasMessageContaining("MIN:MAX");
        assertThatThrownBy(() -> LengthRange.parse("0")).hasMessageContaining("1 <= min");
        assertThatThrownBy(() -> new SyntheticWorkload(0, 1, 1, LengthRange.fixed(1), LengthRange.fixed(1), 0))
                .hasMessageContaining("--num-requests");
        assertThatThrownBy(() -> new SyntheticWorkload(1, 0, 1, LengthRange.fixed(1), LengthRange.fixed(1), 0))
                .hasMessageContaining("--rate");
        assertThatThrownBy(() -> new SyntheticWorkload(1, 1, 0, LengthRange.fixed(1), LengthRange.fixed(1), 0))
                .hasMessageContaining("--burstiness");
    }

    private static double[] gaps(SyntheticWorkload workload) {
        List<TimedRequest> requests = workload.requests();
        assertThat(requests.getFirst().arrivalMs()).isZero();
        double[] gaps = new double[requests.size() - 1];
        for (int i = 1; i < requests.size(); i++) {
            gaps[i - 1] = requests.get(i).arrivalMs() - requests.get(i - 1).arrivalMs();
        }
        assertThat(java.util.Arrays.stream(gaps).min().orElseThrow()).isGreaterThanOrEqualTo(0);
        return gaps;
    }

    private static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    private static double cv(double[] x) {
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1)) / m;
    }
}
