package dev.morphserve.kvcache;

import java.lang.foreign.MemorySegment;

/**
 * A contiguous run of KV blocks with its own allocation (host or device, see {@link KvStorage}), so
 * that the pool can grow and shrink by attaching and detaching whole chunks (the morph resizer's
 * unit). Global block ids {@code [firstBlockId, firstBlockId + numBlocks)} belong to this chunk.
 */
public final class KvChunk implements AutoCloseable {
    private final int firstBlockId;
    private final int numBlocks;
    private final long blockBytesPerLayer;
    private final KvStorage storage;
    private final HostKvStorage host; // null when the storage is a device's: the CPU attention reads this per block

    KvChunk(int firstBlockId, int numBlocks, KvLayout layout, KvStorageFactory factory) {
        this.firstBlockId = firstBlockId;
        this.numBlocks = numBlocks;
        this.blockBytesPerLayer = layout.blockBytesPerLayer();
        this.storage = factory.allocate(layout, numBlocks);
        this.host = storage instanceof HostKvStorage h ? h : null;
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

    /** The memory behind this chunk; a backend casts it to its own storage type. */
    public KvStorage storage() {
        return storage;
    }

    /** Index of a block inside this chunk's storage. */
    public int indexOf(int blockId) {
        return blockId - firstBlockId;
    }

    public MemorySegment keys(int layer) {
        return host().keys(layer);
    }

    public MemorySegment values(int layer) {
        return host().values(layer);
    }

    private HostKvStorage host() {
        if (host != null) {
            return host;
        }
        throw new IllegalStateException("this KV chunk lives in " + storage.getClass().getSimpleName()
                + ", not host memory: run it with the backend that allocated it");
    }

    /** Byte offset of a block's first row inside this chunk's per-layer host segments. */
    public long offsetBytes(int blockId) {
        return indexOf(blockId) * blockBytesPerLayer;
    }

    /** Copies one block's K and V rows, all layers, to another block (possibly in another chunk). */
    void copyBlock(int fromBlockId, KvChunk target, int toBlockId) {
        storage.copyBlock(indexOf(fromBlockId), target.storage, target.indexOf(toBlockId));
    }

    /** Bytes this chunk holds (K and V, all layers). */
    public long byteSize() {
        return storage.byteSize();
    }

    @Override
    public void close() {
        storage.close();
    }
}
