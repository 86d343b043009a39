package dev.morphserve.bench.soak;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the clients hand in results. The sampler drains it once per window; it also keeps every
 * timed latency with its end time, because the drift summary pools whole phases of the run
 * rather than averaging per-window percentiles, and running totals by outcome and kind.
 */
public final class SoakLedger {
    /** A timed stream's latencies, {@code endSeconds} from the run's start. */
    public record Timed(double endSeconds, double ttftMs, Double tpotMs) {}

    private final long startNanos;
    private final List<SoakResult> window = new ArrayList<>();
    private final List<Timed> timed = new ArrayList<>();
    private final Map<SoakOutcome, Long> totals = new EnumMap<>(SoakOutcome.class);
    private final Map<String, Map<SoakOutcome, Long>> byKind = new TreeMap<>();
    private final List<String> failureExamples = new ArrayList<>();

    public SoakLedger(long startNanos) {
        this.startNanos = startNanos;
    }

    public synchronized void add(SoakResult result) {
        window.add(result);
        totals.merge(result.outcome(), 1L, Long::sum);
        byKind.computeIfAbsent(result.kind(), k -> new EnumMap<>(SoakOutcome.class)).merge(result.outcome(), 1L, Long::sum);
        if (result.ttftMs() != null) {
            timed.add(new Timed((result.endNanos() - startNanos) / 1e9, result.ttftMs(), result.tpotMs()));
        }
        boolean unexpected = result.outcome() == SoakOutcome.CLIENT_ERROR ? !result.kind().equals("bad_request")
                : result.outcome() != SoakOutcome.OK && result.outcome() != SoakOutcome.DISCONNECT;
        if (unexpected && failureExamples.size() < 10) {
            failureExamples.add(result.kind() + " " + result.outcome() + " (HTTP " + result.status() + "): " + result.detail());
        }
    }

    /** The window since the last drain, as statistics; the next window starts empty. */
    public synchronized WindowStats drainWindow() {
        WindowStats stats = WindowStats.of(window);
        window.clear();
        return stats;
    }

    public synchronized List<Timed> timed() {
        return List.copyOf(timed);
    }

    public synchronized Map<SoakOutcome, Long> totals() {
        Map<SoakOutcome, Long> copy = new EnumMap<>(SoakOutcome.class);
        for (SoakOutcome outcome : SoakOutcome.values()) {
            copy.put(outcome, totals.getOrDefault(outcome, 0L));
        }
        return copy;
    }

    public synchronized Map<String, Map<SoakOutcome, Long>> byKind() {
        Map<String, Map<SoakOutcome, Long>> copy = new TreeMap<>();
        byKind.forEach((kind, counts) -> copy.put(kind, new EnumMap<>(counts)));
        return copy;
    }

    /** Up to ten failures nobody asked for (bad requests answered 4xx and hang-ups are asked for). */
    public synchronized List<String> failureExamples() {
        return List.copyOf(failureExamples);
    }
}
