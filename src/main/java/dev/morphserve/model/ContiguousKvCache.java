package dev.morphserve.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A KV cache for a handful of sequences laid end to end, each with room for {@code maxTokens}
 * positions: what the CLI (generate, perplexity, bench) needs. The server uses the paged pool.
 *
 * <pre>
 * keys[layer] : [numSequences * maxTokens x kvDim]   slot = sequence * maxTokens + position
 * </pre>
 */
public final class ContiguousKvCache implements KvCache, AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] keys;
    private final MemorySegment[] values;
    private final int maxTokens;

    public ContiguousKvCache(ModelConfig config, int numSequences, int maxTokens) {
        this.maxTokens = maxTokens;
        long bytesPerLayer = (long) numSequences * maxTokens * config.kvDim() * Float.BYTES;
        keys = new MemorySegment[config.numLayers()];
        values = new MemorySegment[config.numLayers()];
        for (int l = 0; l < config.numLayers(); l++) {
            keys[l] = arena.allocate(bytesPerLayer, ValueLayout.JAVA_FLOAT.byteAlignment() * 16);
            values[l] = arena.allocate(bytesPerLayer, ValueLayout.JAVA_FLOAT.byteAlignment() * 16);
        }
    }

    @Override
    public MemorySegment keys(int layer) {
        return keys[layer];
    }

    @Override
    public MemorySegment values(int layer) {
        return values[layer];
    }

    public SlotMapping sequence(int index) {
        int base = index * maxTokens;
        return position -> {
            if (position >= maxTokens) {
                throw new IllegalArgumentException("position " + position + " beyond cache capacity " + maxTokens);
            }
            return base + position;
        };
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        arena.close();
    }
}
