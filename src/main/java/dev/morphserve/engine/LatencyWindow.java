package dev.morphserve.engine;

import java.util.Arrays;

/**
 * The latest latencies of one kind (time to first token, time per decode step) for the morph
 * controller: a ring of the last {@link #CAPACITY} samples, of which those younger than
 * {@link #MAX_AGE_NANOS} count. Engine thread only; the percentile goes out in {@link EngineStats}.
 */
final class LatencyWindow {
    static final int CAPACITY = 64;
    static final long MAX_AGE_NANOS = 10_000_000_000L;

    private final long[] values = new long[CAPACITY];
    private final long[] at = new long[CAPACITY];
    private int next;
    private int size;
    private long p90;
    private long p90AtNanos = Long.MIN_VALUE / 2; // stats go out after every step: sort at most every REFRESH_NANOS

    static final long REFRESH_NANOS = 100_000_000L;

    void record(long valueNanos, long nowNanos) {
        values[next] = valueNanos;
        at[next] = nowNanos;
        next = (next + 1) % CAPACITY;
        size = Math.min(CAPACITY, size + 1);
    }

    /** The 90th percentile of the recent samples (nearest rank), 0 when there are none; at most 100 ms old. */
    long p90(long nowNanos) {
        if (nowNanos - p90AtNanos >= REFRESH_NANOS) {
            p90 = computeP90(nowNanos);
            p90AtNanos = nowNanos;
        }
        return p90;
    }

    private long computeP90(long nowNanos) {
        long[] recent = new long[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (nowNanos - at[i] <= MAX_AGE_NANOS) {
                recent[n++] = values[i];
            }
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(recent, 0, n);
        return recent[(int) Math.ceil(0.9 * n) - 1];
    }
}
