package dev.morphserve.model;

import java.lang.foreign.MemorySegment;

/**
 * Where attention keeps keys and values. Storage is addressed by slot: one slot holds one token's
 * K (or V) row of one layer. How a sequence's positions map onto slots is the cache's business
 * (contiguous for one sequence, block tables for the paged pool), exposed as {@link SlotMapping}.
 *
 * <pre>
 * keys(layer), values(layer) : [numSlots x kvDim] float32, row = slot
 * </pre>
 */
public interface KvCache {

    MemorySegment keys(int layer);

    MemorySegment values(int layer);

    /** Maps a sequence's token positions onto slots of this cache. */
    @FunctionalInterface
    interface SlotMapping {
        int slot(int position);
    }
}
