package dev.morphserve.kvcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A KV chunk in off-heap host memory, one segment per layer for K and one for V.
 *
 * <pre>
 * keys[layer], values[layer] : [numBlocks x blockSize x kvDim] elements of the layout's type (F16 or F32)
 *
 *   block 0                 block 1                 ...
 *   +-----------------------+-----------------------+--
 *   | tok0 | tok1 |..|tok15 | tok0 | tok1 |..|tok15 |
 *   +-----------------------+-----------------------+--
 *     one row = kvDim elements (all KV heads of one token); the CPU attention may order a block's
 *     rows its own way (it stores keys transposed), the block's bytes are its own
 * </pre>
 */
public final class HostKvStorage implements KvStorage {
    private final Arena arena = Arena.ofShared();
    private final long blockBytes;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    HostKvStorage(KvLayout layout, int numBlocks) {
        this.blockBytes = layout.blockBytesPerLayer();
        keys = new MemorySegment[layout.numLayers()];
        values = new MemorySegment[layout.numLayers()];
        for (int l = 0; l < layout.numLayers(); l++) {
            keys[l] = arena.allocate(numBlocks * blockBytes, 64);
            values[l] = arena.allocate(numBlocks * blockBytes, 64);
        }
    }

    public MemorySegment keys(int layer) {
        return keys[layer];
    }

    public MemorySegment values(int layer) {
        return values[layer];
    }

    @Override
    public long byteSize() {
        long bytes = 0;
        for (int l = 0; l < keys.length; l++) {
            bytes += keys[l].byteSize() + values[l].byteSize();
        }
        return bytes;
    }

    @Override
    public void copyBlock(int fromIndex, KvStorage target, int toIndex) {
        if (!(target instanceof HostKvStorage host)) {
            throw new IllegalArgumentException("cannot copy a host KV block into " + target.getClass().getSimpleName());
        }
        for (int l = 0; l < keys.length; l++) {
            MemorySegment.copy(keys[l], fromIndex * blockBytes, host.keys[l], toIndex * blockBytes, blockBytes);
            MemorySegment.copy(values[l], fromIndex * blockBytes, host.values[l], toIndex * blockBytes, blockBytes);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
