package dev.morphserve.engine;

/**
 * A snapshot of the engine after a step, published for metrics and the morph controller.
 *
 * @param oldestWaitingNanos    how long the oldest waiting request has waited (0 when none waits)
 * @param blocksNeededByWaiting KV blocks the waiting requests need to be admitted (prompt plus one token each)
 * @param recentTtftNanos       90th percentile of the time to first token of the last requests (last 10 s)
 * @param recentTpotNanos       90th percentile of the time per output token of the last decode steps (last 10 s)
 */
public record EngineStats(
        int numRunning,
        int numWaiting,
        int totalBlocks,
        int freeBlocks,
        long numPreemptions,
        long oldestWaitingNanos,
        int blocksNeededByWaiting,
        long numSteps,
        int numKvChunks,
        long kvBytes,
        long recentTtftNanos,
        long recentTpotNanos) {

    public static final EngineStats EMPTY = new EngineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Fraction of KV blocks in use, 0..1. */
    public double kvUsage() {
        return totalBlocks == 0 ? 0 : (double) (totalBlocks - freeBlocks) / totalBlocks;
    }
}
