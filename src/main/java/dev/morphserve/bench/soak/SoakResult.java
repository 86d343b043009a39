package dev.morphserve.bench.soak;

/**
 * What one soak request came to.
 *
 * @param endNanos {@link System#nanoTime()} when it ended, which places it in a sample window
 * @param status   HTTP status, 0 when no answer came
 * @param ttftMs   time to the first token chunk, for timed requests that produced one; else null
 * @param tpotMs   mean time per output token after the first, for timed requests with two or more; else null
 * @param detail   what went wrong, for failures; else null
 */
public record SoakResult(String kind, SoakOutcome outcome, int status, long endNanos, Double ttftMs, Double tpotMs, String detail) {}
