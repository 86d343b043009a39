package dev.morphserve.kvcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A contiguous run of KV blocks with its own off-heap allocation, so that the pool can grow and
 * shrink by attaching and detaching whole chunks (the morph resizer's unit).
 *
 * <pre>
 * keys[layer], values[layer] : [numBlocks x blockSize x kvDim] float32
 *
 *   block 0                 block 1                 ...
 *   +-----------------------+-----------------------+--
 *   | tok0 | tok1 |..|tok15 | tok0 | tok1 |..|tok15 |
 *   +-----------------------+-----------------------+--
 *     one row = kvDim floats (all KV heads of one token)
 * </pre>
 *
 * Global block ids {@code [firstBlockId, firstBlockId + numBlocks)} belong to this chunk.
 */
public final class KvChunk implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int firstBlockId;
    private final int numBlocks;
    private final long blockBytes;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    KvChunk(int firstBlockId, int numBlocks, KvLayout layout) {
        this.firstBlockId = firstBlockId;
        this.numBlocks = numBlocks;
        this.blockBytes = layout.blockBytesPerLayer();
        keys = new MemorySegment[layout.numLayers()];
        values = new MemorySegment[layout.numLayers()];
        for (int l = 0; l < layout.numLayers(); l++) {
            keys[l] = arena.allocate(numBlocks * blockBytes, 64);
            values[l] = arena.allocate(numBlocks * blockBytes, 64);
        }
    }

    public int firstBlockId() {
        return firstBlockId;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public boolean owns(int blockId) {
        return blockId >= firstBlockId && blockId < firstBlockId + numBlocks;
    }

    public MemorySegment keys(int layer) {
        return keys[layer];
    }

    public MemorySegment values(int layer) {
        return values[layer];
    }

    /** Byte offset of a block's first row inside this chunk's per-layer segments. */
    public long offsetBytes(int blockId) {
        return (blockId - firstBlockId) * blockBytes;
    }

    /** Copies one block's K and V rows, all layers, to another block (possibly in another chunk). */
    void copyBlock(int fromBlockId, KvChunk target, int toBlockId) {
        for (int l = 0; l < keys.length; l++) {
            MemorySegment.copy(keys[l], offsetBytes(fromBlockId), target.keys[l], target.offsetBytes(toBlockId), blockBytes);
            MemorySegment.copy(values[l], offsetBytes(fromBlockId), target.values[l], target.offsetBytes(toBlockId), blockBytes);
        }
    }

    /** Off-heap bytes this chunk holds (K and V, all layers). */
    public long byteSize() {
        return 2L * keys.length * numBlocks * blockBytes;
    }

    @Override
    public void close() {
        arena.close();
    }
}
