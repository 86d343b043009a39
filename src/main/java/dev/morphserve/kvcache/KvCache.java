package dev.morphserve.kvcache;

import java.lang.foreign.MemorySegment;

/**
 * Where attention keeps keys and values: fixed-size blocks of token rows. A sequence reaches its
 * rows through a block table (position p: block table[p / blockSize], row p % blockSize); the
 * cache says which segment holds a block and where in it the block starts.
 *
 * <pre>
 * keys(layer, block) at blockOffsetBytes(block): [blockSize x kvDim] elements of layout().type()
 * </pre>
 */
public interface KvCache {

    /** Block size, row width and element type: a runner checks it writes the type it was made for. */
    KvLayout layout();

    int blockSize();

    MemorySegment keys(int layer, int blockId);

    MemorySegment values(int layer, int blockId);

    long blockOffsetBytes(int blockId);

    /** The chunk that holds a block: a backend reaches the block's memory through its storage. */
    KvChunk chunkOf(int blockId);
}
