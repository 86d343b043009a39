package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsCalculatorTest {

    private static RequestRecord ok(int index, double ttftMs, double e2eMs, int outputTokens, List<Double> itlMs) {
        return new RequestRecord(index, 0, 0, 10, outputTokens, true, 200, null, null, ttftMs, itlMs, e2eMs, outputTokens, true);
    }

    @Test
    void flagsCompletedRequestsThatStoppedBeforeMaxTokens() {
        RequestRecord stoppedEarly = new RequestRecord(0, 0, 0, 10, 50, true, 200, null, null, 5.0, List.of(1.0), 6.0, 2, true);
        ServingMetrics m = MetricsCalculator.compute(List.of(stoppedEarly, ok(1, 5, 6, 2, List.of(1.0))), 10, new SloTargets(2000, null));
        assertThat(m.shortOutputRequests()).isEqualTo(1);
    }

    private static RequestRecord failed(int index, int status, String kind) {
        return RequestRecord.failed(index, 0, 0, new TimedRequest(0, 10, 5), status, kind, kind + ": busy");
    }

    @Test
    void countsThroughputsLatenciesAndGoodput() {
        List<RequestRecord> records = List.of(
                ok(0, 100, 500, 5, List.of(100.0, 100.0, 100.0, 100.0)), // TPOT 100
                ok(1, 3000, 3400, 3, List.of(200.0, 200.0)),             // TTFT miss, TPOT 200
                ok(2, 50, 50, 1, List.of()),                             // one token: no TPOT
                failed(3, 503, "HTTP 503"),
                failed(4, 503, "HTTP 503"),
                failed(5, 0, "ConnectException"));
        ServingMetrics m = MetricsCalculator.compute(records, 2000, new SloTargets(2000, 150.0));

        assertThat(m.totalRequests()).isEqualTo(6);
        assertThat(m.completed()).isEqualTo(3);
        assertThat(m.failed()).isEqualTo(3);
        assertThat(m.errors()).isEqualTo(Map.of("HTTP 503", 2, "ConnectException", 1));
        assertThat(m.durationS()).isEqualTo(2.0);
        assertThat(m.totalPromptTokens()).isEqualTo(30);
        assertThat(m.totalOutputTokens()).isEqualTo(9);
        assertThat(m.requestThroughputPerS()).isCloseTo(1.5, within(1e-12));
        assertThat(m.outputTokenThroughputPerS()).isCloseTo(4.5, within(1e-12));
        assertThat(m.totalTokenThroughputPerS()).isCloseTo(19.5, within(1e-12));

        assertThat(m.ttft().count()).isEqualTo(3);
        assertThat(m.ttft().meanMs()).isCloseTo((100 + 3000 + 50) / 3.0, within(1e-9));
        assertThat(m.tpot().count()).isEqualTo(2);
        assertThat(m.tpot().meanMs()).isCloseTo(150, within(1e-9));
        assertThat(m.itl().count()).isEqualTo(6);
        assertThat(m.e2e().p50Ms()).isEqualTo(500);

        // Good: request 0 (TTFT 100, TPOT 100) and request 2 (one token). Failures are misses.
        assertThat(m.goodRequests()).isEqualTo(2);
        assertThat(m.goodputPerS()).isCloseTo(1.0, within(1e-12));
        assertThat(m.ttftMissShare()).isCloseTo(4 / 6.0, within(1e-12));
        assertThat(m.tpotMissShare()).isCloseTo(4 / 6.0, within(1e-12));
    }

    @Test
    void withoutTpotObjectiveOnlyTtftDecides() {
        List<RequestRecord> records = List.of(ok(0, 100, 10_100, 2, List.of(10_000.0)), failed(1, 503, "HTTP 503"));
        ServingMetrics m = MetricsCalculator.compute(records, 1000, new SloTargets(2000, null));
        assertThat(m.goodRequests()).isEqualTo(1);
        assertThat(m.tpotMissShare()).isNull();
        assertThat(m.ttftMissShare()).isEqualTo(0.5);
        assertThat(records.getFirst().tpotMs()).isEqualTo(10_000.0);
    }

    @Test
    void allFailedGivesEmptyLatenciesAndZeroThroughput() {
        ServingMetrics m = MetricsCalculator.compute(List.of(failed(0, 503, "HTTP 503")), 10, new SloTargets(2000, null));
        assertThat(m.completed()).isZero();
        assertThat(m.ttft().count()).isZero();
        assertThat(m.requestThroughputPerS()).isZero();
        assertThat(m.ttftMissShare()).isEqualTo(1.0);
    }
}
