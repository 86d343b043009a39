package dev.morphserve.backend.cuda;

import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvCache;
import dev.morphserve.kvcache.KvChunk;
import dev.morphserve.model.ForwardBatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Everything the kernels of one step need to know about its tokens, packed into one pinned host
 * buffer and copied to the device in one transfer. Tokens of one sequence share its block table;
 * each sequence's block addresses are written once.
 *
 * <pre>
 * int64 slotBlock [T]     device address of the block that receives token t's K and V
 * int32 tokens    [T]
 * int32 positions [T]
 * int32 slotRow   [T]     row of token t inside its block
 * int32 tableStart[T]     where token t's sequence starts in blockBases
 * int32 logitRows [L]     tokens whose logits are wanted
 * int64 blockBases[NB]    every sequence's block addresses, sequence after sequence (8-byte aligned)
 * </pre>
 *
 * Every offset depends only on T and L, never on how long the sequences are: a step's kernels can
 * be captured once as a CUDA graph and replayed for every later step of the same T and L.
 */
final class StepMetadata {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;

    private final Map<BlockTable, Integer> blocksNeeded = new IdentityHashMap<>();
    private final Map<BlockTable, Integer> starts = new IdentityHashMap<>();
    private int numBases;
    long slotBlockOffset;
    long blockBasesOffset;
    long tokensOffset;
    long positionsOffset;
    long slotRowOffset;
    long tableStartOffset;
    long logitRowsOffset;
    long byteSize;

    /**
     * Lays out the batch's metadata: the offsets and {@link #byteSize}, and the blocks each sequence's
     * attention reads this step (up to its last position in the batch). Call before {@link #write}.
     */
    void plan(ForwardBatch batch, int blockSize) {
        int numTokens = batch.numTokens();
        blocksNeeded.clear();
        for (int t = 0; t < numTokens; t++) {
            blocksNeeded.merge(batch.blockTables()[t], batch.positions()[t] / blockSize + 1, Math::max);
        }
        numBases = 0;
        for (int blocks : blocksNeeded.values()) {
            numBases += blocks;
        }
        slotBlockOffset = 0;
        tokensOffset = 8L * numTokens;
        positionsOffset = tokensOffset + 4L * numTokens;
        slotRowOffset = positionsOffset + 4L * numTokens;
        tableStartOffset = slotRowOffset + 4L * numTokens;
        logitRowsOffset = tableStartOffset + 4L * numTokens;
        blockBasesOffset = (logitRowsOffset + 4L * batch.logitIndices().length + 7) & ~7L;
        byteSize = blockBasesOffset + 8L * numBases;
    }

    /** Writes the planned batch's metadata into {@code host}, which must hold {@link #byteSize} bytes. */
    void write(ForwardBatch batch, KvCache cache, MemorySegment host) {
        int blockSize = cache.blockSize();
        starts.clear();
        int next = 0;
        for (int t = 0; t < batch.numTokens(); t++) {
            BlockTable table = batch.blockTables()[t];
            Integer start = starts.get(table);
            if (start == null) {
                start = next;
                starts.put(table, start);
                int blocks = blocksNeeded.get(table);
                for (int i = 0; i < blocks; i++) {
                    host.setAtIndex(I64, blockBasesOffset / 8 + next + i, blockAddress(cache, table.get(i)));
                }
                next += blocks;
            }
            int position = batch.positions()[t];
            host.setAtIndex(I64, t, blockAddress(cache, table.get(position / blockSize)));
            host.setAtIndex(I32, tokensOffset / 4 + t, batch.tokens()[t]);
            host.setAtIndex(I32, positionsOffset / 4 + t, position);
            host.setAtIndex(I32, slotRowOffset / 4 + t, position % blockSize);
            host.setAtIndex(I32, tableStartOffset / 4 + t, start);
        }
        for (int i = 0; i < batch.logitIndices().length; i++) {
            host.setAtIndex(I32, logitRowsOffset / 4 + i, batch.logitIndices()[i]);
        }
    }

    private static long blockAddress(KvCache cache, int blockId) {
        KvChunk chunk = cache.chunkOf(blockId);
        if (!(chunk.storage() instanceof CudaKvStorage device)) {
            throw new IllegalArgumentException("the CUDA backend needs its KV cache in device memory, this one is in "
                    + chunk.storage().getClass().getSimpleName() + ": allocate it with the runner's kvStorage()");
        }
        return device.blockAddress(chunk.indexOf(blockId));
    }
}
