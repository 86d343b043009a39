package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TraceWindowTest {
    private static final List<TimedRequest> RAW = List.of(
            new TimedRequest(0, 1, 1), new TimedRequest(500, 2, 2), new TimedRequest(1000, 3, 3),
            new TimedRequest(1500, 4, 4), new TimedRequest(2500, 5, 5), new TimedRequest(3000, 6, 6), new TimedRequest(4000, 7, 7));

    @Test
    void keepsTheHalfOpenWindowRebasesToItsFirstRequestAndDividesBySpeedup() {
        // [1 s, 3 s): 1000, 1500, 2500 kept; 3000 is the exclusive end.
        List<TimedRequest> out = new TraceWindow(1, 2, 2).apply(RAW);
        assertThat(out).containsExactly(new TimedRequest(0, 3, 3), new TimedRequest(250, 4, 4), new TimedRequest(750, 5, 5));
    }

    @Test
    void speedupDividesEveryInterArrivalTime() {
        List<TimedRequest> out = new TraceWindow(0, Double.POSITIVE_INFINITY, 4).apply(RAW);
        assertThat(out).extracting(TimedRequest::arrivalMs).containsExactly(0.0, 125.0, 250.0, 375.0, 625.0, 750.0, 1000.0);
        List<TimedRequest> slower = new TraceWindow(0, Double.POSITIVE_INFINITY, 0.5).apply(RAW);
        assertThat(slower.getLast().arrivalMs()).isEqualTo(8000.0);
    }

    @Test
    void windowStartingBetweenRequestsRebasesToTheFirstKeptOne() {
        List<TimedRequest> out = new TraceWindow(0.7, 1, 1).apply(RAW);
        assertThat(out).containsExactly(new TimedRequest(0, 3, 3), new TimedRequest(500, 4, 4));
    }

    @Test
    void sortsSlightlyUnorderedRowsAndReturnsEmptyForAnEmptyWindow() {
        List<TimedRequest> unordered = List.of(new TimedRequest(200, 2, 2), new TimedRequest(100, 1, 1));
        assertThat(TraceWindow.ALL.apply(unordered)).containsExactly(new TimedRequest(0, 1, 1), new TimedRequest(100, 2, 2));
        assertThat(new TraceWindow(10, 5, 1).apply(RAW)).isEmpty();
    }

    @Test
    void rejectsMeaninglessWindows() {
        assertThatThrownBy(() -> new TraceWindow(-1, 1, 1)).hasMessageContaining("--window-start");
        assertThatThrownBy(() -> new TraceWindow(0, 0, 1)).hasMessageContaining("--window-seconds");
        assertThatThrownBy(() -> new TraceWindow(0, 1, 0)).hasMessageContaining("--speedup");
    }
}
