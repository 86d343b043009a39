package dev.morphserve.morph;

import dev.morphserve.engine.StepBoundary;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvChunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Grows and shrinks the KV pool by whole chunks at step boundaries. The first chunk (sized at
 * start-up) never goes; grown chunks go back when a swap-up needs their memory or when they sit
 * idle. Shrinking moves live blocks into free blocks of the remaining chunks and rewrites the
 * tables (see {@link BlockPool#detachChunk}), so no running request loses its cache.
 */
public final class KvResizer {

    /** What a resize did: blocks attached (+) or detached (-), blocks moved, bytes changed hands. */
    public record Resize(int blocksDelta, int blocksMoved, long bytes) {
        static final Resize NONE = new Resize(0, 0, 0);
    }

    /** Attaches one chunk of as many whole blocks as {@code bytes} holds; nothing when not one fits. */
    public Resize grow(BlockPool pool, long bytes) {
        long blocks = bytes / pool.layout().blockBytes();
        if (blocks < 1) {
            return Resize.NONE;
        }
        KvChunk chunk = pool.attachChunk((int) Math.min(Integer.MAX_VALUE, blocks));
        return new Resize(chunk.numBlocks(), 0, chunk.byteSize());
    }

    /**
     * Detaches grown chunks, those with the fewest live blocks first, until at least {@code bytes}
     * went back. A chunk whose live blocks do not fit elsewhere stays; the result may fall short.
     */
    public Resize shrink(StepBoundary boundary, long bytes) {
        BlockPool pool = boundary.pool();
        List<BlockTable> tables = boundary.liveBlockTables();
        List<KvChunk> candidates = new ArrayList<>(grown(pool));
        candidates.sort(Comparator.comparingInt(c -> liveBlocks(c, tables)));
        int delta = 0;
        int moved = 0;
        long freed = 0;
        for (KvChunk chunk : candidates) {
            if (freed >= bytes) {
                break;
            }
            try {
                long chunkBytes = chunk.byteSize();
                moved += pool.detachChunk(chunk, tables);
                delta -= chunk.numBlocks();
                freed += chunkBytes;
            } catch (IllegalStateException liveBlocksDoNotFit) {
                // keep it: the other chunks are too full to take its live blocks now
            }
        }
        return new Resize(delta, moved, freed);
    }

    /** Detaches every grown chunk that holds no live block. */
    public Resize shrinkIdle(StepBoundary boundary) {
        int delta = 0;
        long freed = 0;
        for (KvChunk chunk : idleGrown(boundary)) {
            long chunkBytes = chunk.byteSize();
            boundary.pool().detachChunk(chunk, boundary.liveBlockTables());
            delta -= chunk.numBlocks();
            freed += chunkBytes;
        }
        return new Resize(delta, 0, freed);
    }

    /** Grown chunks that no running request has a block in. */
    public static List<KvChunk> idleGrown(StepBoundary boundary) {
        List<BlockTable> tables = boundary.liveBlockTables();
        return grown(boundary.pool()).stream().filter(c -> liveBlocks(c, tables) == 0).toList();
    }

    /** Chunks attached after start-up. */
    public static List<KvChunk> grown(BlockPool pool) {
        List<KvChunk> chunks = pool.chunks();
        return List.copyOf(chunks.subList(Math.min(1, chunks.size()), chunks.size()));
    }

    private static int liveBlocks(KvChunk chunk, List<BlockTable> tables) {
        int live = 0;
        for (BlockTable table : tables) {
            for (int i = 0; i < table.size(); i++) {
                if (chunk.owns(table.get(i))) {
                    live++;
                }
            }
        }
        return live;
    }
}
