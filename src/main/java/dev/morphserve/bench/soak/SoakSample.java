package dev.morphserve.bench.soak;

/**
 * One sample of the soak: the server process, its morph state, and the requests that ended since
 * the previous sample. Probe figures are null where the probe failed (the report says the server
 * stopped answering rather than inventing a zero).
 *
 * @param tSeconds     from the start of the load
 * @param heapUsedBytes JVM heap in use, from the server's metrics
 */
public record SoakSample(double tSeconds, long rssBytes, int threads, Long heapUsedBytes, Integer queueRunning, Integer queueWaiting,
        Integer kvFreeBlocks, Integer kvTotalBlocks, Integer swappedLayers, WindowStats window) {}
