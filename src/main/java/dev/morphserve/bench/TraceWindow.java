package dev.morphserve.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Which part of a recorded trace to replay and how fast. Offsets are taken relative to the trace's
 * first row, so {@code startSeconds = 60} means "one minute into the recording" whatever the
 * recording's wall-clock date. The kept requests are re-based so that the first one arrives at
 * 0 ms, then every offset is divided by the speed-up (dividing offsets from one origin divides
 * every inter-arrival time by the same factor).
 *
 * @param startSeconds  start of the window, seconds after the first row
 * @param windowSeconds length of the window in trace seconds (before speed-up); infinite keeps the rest
 * @param speedup       divisor of inter-arrival times; 2 replays twice as fast
 */
public record TraceWindow(double startSeconds, double windowSeconds, double speedup) {
    public static final TraceWindow ALL = new TraceWindow(0, Double.POSITIVE_INFINITY, 1);

    public TraceWindow {
        if (!(startSeconds >= 0) || Double.isInfinite(startSeconds)) {
            throw new IllegalArgumentException("--window-start must be a finite number >= 0, got " + startSeconds);
        }
        if (!(windowSeconds > 0)) {
            throw new IllegalArgumentException("--window-seconds must be > 0, got " + windowSeconds);
        }
        if (!(speedup > 0) || Double.isInfinite(speedup)) {
            throw new IllegalArgumentException("--speedup must be a finite number > 0, got " + speedup);
        }
    }

    /**
     * @param rawOffsetsMs requests with arrival = milliseconds since the trace's first row, in trace order
     * @return the requests inside [start, start + window), re-based to 0 and sped up, sorted by arrival
     */
    public List<TimedRequest> apply(List<TimedRequest> rawOffsetsMs) {
        double startMs = startSeconds * 1000.0;
        double endMs = startMs + windowSeconds * 1000.0;
        List<TimedRequest> kept = new ArrayList<>();
        for (TimedRequest r : rawOffsetsMs) {
            if (r.arrivalMs() >= startMs && r.arrivalMs() < endMs) {
                kept.add(r);
            }
        }
        if (kept.isEmpty()) {
            return List.of();
        }
        // Sort before re-basing: traces are nearly, not strictly, ordered.
        kept.sort((a, b) -> Double.compare(a.arrivalMs(), b.arrivalMs()));
        double firstMs = kept.getFirst().arrivalMs();
        List<TimedRequest> out = new ArrayList<>(kept.size());
        for (TimedRequest r : kept) {
            out.add(r.withArrivalMs((r.arrivalMs() - firstMs) / speedup));
        }
        return List.copyOf(out);
    }

    public String describe() {
        String window = Double.isInfinite(windowSeconds) ? "to the end" : "for " + fmt(windowSeconds) + " s";
        return "window from " + fmt(startSeconds) + " s " + window + ", speed-up x" + fmt(speedup);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
