package dev.morphserve.engine;

/**
 * A snapshot of the engine after a step, published for metrics and the morph controller.
 *
 * @param oldestWaitingNanos    how long the oldest waiting request has waited (0 when none waits)
 * @param blocksNeededByWaiting KV blocks the waiting requests need to be admitted (prompt plus one token each)
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
        long kvBytes) {

    public static final EngineStats EMPTY = new EngineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Fraction of KV blocks in use, 0..1. */
    public double kvUsage() {
        return totalBlocks == 0 ? 0 : (double) (totalBlocks - freeBlocks) / totalBlocks;
    }
}
