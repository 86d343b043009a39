package dev.morphserve.kvcache;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The paged KV cache: a set of chunks whose blocks are handed out one at a time. Owned by the
 * engine thread (no locking). Block ids are global and never reused across chunks, so a stale id
 * can never alias a block of a newer chunk.
 *
 * <pre>
 * chunk A: ids [0, 512)   chunk B: ids [512, 640)   chunkByBlock[id] -> owning chunk
 * </pre>
 */
public final class BlockPool implements KvCache, AutoCloseable {
    private final KvLayout layout;
    private final KvStorageFactory storage;
    private final List<KvChunk> chunks = new ArrayList<>();
    private KvChunk[] chunkByBlock = new KvChunk[0];
    private final ArrayDeque<Integer> freeBlocks = new ArrayDeque<>();
    private int nextBlockId;

    /** A pool in host memory (the CPU backend's). */
    public BlockPool(KvLayout layout, int initialBlocks) {
        this(layout, initialBlocks, KvStorageFactory.HOST);
    }

    /** A pool whose chunks {@code storage} allocates (a backend's device memory). */
    public BlockPool(KvLayout layout, int initialBlocks, KvStorageFactory storage) {
        this.layout = layout;
        this.storage = storage;
        attachChunk(initialBlocks);
    }

    @Override
    public KvLayout layout() {
        return layout;
    }

    @Override
    public int blockSize() {
        return layout.blockSize();
    }

    /** Adds a chunk of {@code numBlocks} fresh blocks; returns it. */
    public KvChunk attachChunk(int numBlocks) {
        if (numBlocks < 1) {
            throw new IllegalArgumentException("a KV chunk needs at least one block, got " + numBlocks);
        }
        KvChunk chunk = new KvChunk(nextBlockId, numBlocks, layout, storage);
        nextBlockId += numBlocks;
        chunkByBlock = Arrays.copyOf(chunkByBlock, nextBlockId);
        for (int id = nextBlockId - 1; id >= chunk.firstBlockId(); id--) {
            chunkByBlock[id] = chunk;
            // New chunks are handed out first: the base chunk then keeps free room that a later
            // detach can move live blocks into.
            freeBlocks.addFirst(id);
        }
        chunks.add(chunk);
        return chunk;
    }

    /**
     * Removes a chunk after moving its live blocks elsewhere. {@code tables} must be every block
     * table that holds blocks of this pool: each block of the chunk that a table uses is copied
     * (K and V, all layers) into a free block of another chunk and the table is rewritten; then the
     * chunk's memory is released. Refused, changing nothing, when the other chunks lack free blocks.
     *
     * <pre>
     * before: table [ 3 | 17 | 18 ]   chunk B = ids 16..23 being detached, 5 free in chunk A
     * after:  table [ 3 |  5 |  6 ]   rows of 17, 18 copied into 5, 6; chunk B closed
     * </pre>
     *
     * @return the number of blocks moved
     */
    public int detachChunk(KvChunk chunk, List<BlockTable> tables) {
        if (!chunks.contains(chunk)) {
            throw new IllegalArgumentException("chunk of blocks " + chunk.firstBlockId() + ".. is not attached");
        }
        int live = 0;
        for (BlockTable table : tables) {
            for (int i = 0; i < table.size(); i++) {
                if (chunk.owns(table.get(i))) {
                    live++;
                }
            }
        }
        int freeElsewhere = (int) freeBlocks.stream().filter(id -> !chunk.owns(id)).count();
        if (live > freeElsewhere) {
            throw new IllegalStateException("cannot detach a chunk of " + chunk.numBlocks() + " blocks: " + live
                    + " of them are in use and only " + freeElsewhere + " blocks are free elsewhere");
        }
        freeBlocks.removeIf(chunk::owns);
        for (BlockTable table : tables) {
            for (int i = 0; i < table.size(); i++) {
                int from = table.get(i);
                if (chunk.owns(from)) {
                    int to = allocate();
                    chunk.copyBlock(from, chunkByBlock[to], to);
                    table.replace(i, to);
                }
            }
        }
        for (int id = chunk.firstBlockId(); id < chunk.firstBlockId() + chunk.numBlocks(); id++) {
            chunkByBlock[id] = null;
        }
        chunks.remove(chunk);
        chunk.close();
        return live;
    }

    public int numChunks() {
        return chunks.size();
    }

    public List<KvChunk> chunks() {
        return List.copyOf(chunks);
    }

    public int numFreeBlocks() {
        return freeBlocks.size();
    }

    public int numTotalBlocks() {
        int total = 0;
        for (KvChunk c : chunks) {
            total += c.numBlocks();
        }
        return total;
    }

    public long byteSize() {
        long bytes = 0;
        for (KvChunk c : chunks) {
            bytes += c.byteSize();
        }
        return bytes;
    }

    public int allocate() {
        Integer id = freeBlocks.pollFirst();
        if (id == null) {
            throw new IllegalStateException("KV block pool exhausted (" + numTotalBlocks() + " blocks): the scheduler must check first");
        }
        return id;
    }

    public void free(int blockId) {
        if (blockId < 0 || blockId >= chunkByBlock.length || chunkByBlock[blockId] == null) {
            throw new IllegalArgumentException("block " + blockId + " does not belong to an attached chunk");
        }
        freeBlocks.addFirst(blockId);
    }

    /** Returns every block of the table to the pool and empties it. */
    public void freeAll(BlockTable table) {
        for (int i = table.size() - 1; i >= 0; i--) {
            free(table.get(i));
        }
        table.clear();
    }

    /** Ids currently free (for invariant checks). */
    public List<Integer> freeBlockIds() {
        return List.copyOf(freeBlocks);
    }

    public boolean isAttached(int blockId) {
        return blockId >= 0 && blockId < chunkByBlock.length && chunkByBlock[blockId] != null;
    }

    @Override
    public MemorySegment keys(int layer, int blockId) {
        return chunkByBlock[blockId].keys(layer);
    }

    @Override
    public MemorySegment values(int layer, int blockId) {
        return chunkByBlock[blockId].values(layer);
    }

    /** The chunk that holds a block (backends reach its storage this way). */
    public KvChunk chunkOf(int blockId) {
        if (!isAttached(blockId)) {
            throw new IllegalArgumentException("block " + blockId + " does not belong to an attached chunk");
        }
        return chunkByBlock[blockId];
    }

    @Override
    public long blockOffsetBytes(int blockId) {
        return chunkByBlock[blockId].offsetBytes(blockId);
    }

    @Override
    public void close() {
        chunks.forEach(KvChunk::close);
        chunks.clear();
    }
}
