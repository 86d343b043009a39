package dev.morphserve.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
    @Test
    void percentilesCoverTimedStreamsOnlyAndCountsCoverAll() {
        List<SoakResult> results = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            results.add(new SoakResult("completion_stream", SoakOutcome.OK, 200, 0, 10.0 * i, i == 11 ? null : 1.0 * i, null));
        }
        results.add(new SoakResult("completion", SoakOutcome.OK, 200, 0, null, null, null));
        results.add(new SoakResult("bad_request", SoakOutcome.CLIENT_ERROR, 400, 0, null, null, "x"));
        results.add(new SoakResult("disconnect_stream", SoakOutcome.DISCONNECT, 200, 0, null, null, null));
        WindowStats w = WindowStats.of(results);
        assertThat(w.timedRequests()).isEqualTo(11);
        assertThat(w.ttftP50Ms()).isCloseTo(60, within(1e-9));
        assertThat(w.ttftP90Ms()).isCloseTo(100, within(1e-9));
        assertThat(w.tpotP50Ms()).isCloseTo(5.5, within(1e-9));
        assertThat(w.outcomes()).containsEntry(SoakOutcome.OK, 12).containsEntry(SoakOutcome.CLIENT_ERROR, 1)
                .containsEntry(SoakOutcome.DISCONNECT, 1).containsEntry(SoakOutcome.SERVER_ERROR, 0);
        assertThat(w.requests()).isEqualTo(14);
    }

    @Test
    void anEmptyWindowHasNoPercentiles() {
        WindowStats w = WindowStats.of(List.of());
        assertThat(w.ttftP90Ms()).isNull();
        assertThat(w.requests()).isZero();
    }

    @Test
    void theLedgerDrainsWindowsAndKeepsTotals() {
        SoakLedger ledger = new SoakLedger(0);
        ledger.add(new SoakResult("chat_stream", SoakOutcome.OK, 200, 2_000_000_000L, 5.0, 1.0, null));
        ledger.add(new SoakResult("completion", SoakOutcome.SERVER_ERROR, 500, 3_000_000_000L, null, null, "boom"));
        assertThat(ledger.drainWindow().requests()).isEqualTo(2);
        assertThat(ledger.drainWindow().requests()).isZero();
        assertThat(ledger.totals()).containsEntry(SoakOutcome.OK, 1L).containsEntry(SoakOutcome.SERVER_ERROR, 1L);
        assertThat(ledger.timed()).containsExactly(new SoakLedger.Timed(2.0, 5.0, 1.0));
        assertThat(ledger.failureExamples()).singleElement().asString().contains("HTTP 500").contains("boom");
    }
}
