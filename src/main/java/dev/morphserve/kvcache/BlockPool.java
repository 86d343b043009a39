package dev.morphserve.kvcache;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The paged KV cache: a set of chunks whose blocks are handed out one at a time. Owned by the
 * engine thread (no locking). Block ids are global and never reused across chunks, so a stale id
 * can never alias a block of a newer chunk.
 *
 * <p>Blocks are reference counted so that several block tables can hold one block: the sequences
 * of a request with {@code n > 1} share the blocks of their common prompt. {@link #allocate} hands
 * out a block with one reference, {@link #share} adds one, {@link #free} drops one and returns the
 * block to the free list with the last. Only full blocks are ever shared, so nobody writes into a
 * block that another table reads (no copy-on-write is needed).
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
    /** References per block id (tables holding it); 0 for a free block. */
    private int[] refCounts = new int[0];
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
        refCounts = Arrays.copyOf(refCounts, nextBlockId);
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
     * A block that several tables share is copied once, keeps its reference count, and every
     * table holding it is rewritten.
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
        // A shared block appears in several tables but moves once: count and move distinct ids.
        Set<Integer> live = new HashSet<>();
        for (BlockTable table : tables) {
            for (int i = 0; i < table.size(); i++) {
                if (chunk.owns(table.get(i))) {
                    live.add(table.get(i));
                }
            }
        }
        int freeElsewhere = (int) freeBlocks.stream().filter(id -> !chunk.owns(id)).count();
        if (live.size() > freeElsewhere) {
            throw new IllegalStateException("cannot detach a chunk of " + chunk.numBlocks() + " blocks: " + live.size()
                    + " of them are in use and only " + freeElsewhere + " blocks are free elsewhere");
        }
        freeBlocks.removeIf(chunk::owns);
        Map<Integer, Integer> movedTo = new HashMap<>();
        for (BlockTable table : tables) {
            for (int i = 0; i < table.size(); i++) {
                int from = table.get(i);
                if (chunk.owns(from)) {
                    int to = movedTo.computeIfAbsent(from, f -> {
                        int target = allocate();
                        chunk.copyBlock(f, chunkByBlock[target], target);
                        refCounts[target] = refCounts[f];
                        return target;
                    });
                    table.replace(i, to);
                }
            }
        }
        for (int id = chunk.firstBlockId(); id < chunk.firstBlockId() + chunk.numBlocks(); id++) {
            chunkByBlock[id] = null;
            refCounts[id] = 0;
        }
        chunks.remove(chunk);
        chunk.close();
        return movedTo.size();
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

    /** A free block with one reference. */
    public int allocate() {
        Integer id = freeBlocks.pollFirst();
        if (id == null) {
            throw new IllegalStateException("KV block pool exhausted (" + numTotalBlocks() + " blocks): the scheduler must check first");
        }
        refCounts[id] = 1;
        return id;
    }

    /** Adds a reference to a block in use (another table now holds it); returns the id. */
    public int share(int blockId) {
        requireInUse(blockId);
        refCounts[blockId]++;
        return blockId;
    }

    /** Drops one reference; the last one returns the block to the free list. */
    public void free(int blockId) {
        requireInUse(blockId);
        if (--refCounts[blockId] == 0) {
            freeBlocks.addFirst(blockId);
        }
    }

    /** How many tables hold a block (0 when it is free). */
    public int refCount(int blockId) {
        if (!isAttached(blockId)) {
            throw new IllegalArgumentException("block " + blockId + " does not belong to an attached chunk");
        }
        return refCounts[blockId];
    }

    private void requireInUse(int blockId) {
        if (!isAttached(blockId)) {
            throw new IllegalArgumentException("block " + blockId + " does not belong to an attached chunk");
        }
        if (refCounts[blockId] <= 0) {
            // A double free would hand one block to two sequences later: fail where it happens.
            throw new IllegalStateException("block " + blockId + " is free");
        }
    }

    /** Drops the table's reference to each of its blocks and empties it. */
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
