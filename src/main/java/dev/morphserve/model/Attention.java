package dev.morphserve.model;

import dev.morphserve.kernel.Lanes;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvCache;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention of one query head of one token over its sequence's cached keys
 * and values (positions 0..position), walking the sequence's block table block by block.
 *
 * <p>Keys are stored transposed inside each block ({@link #keyOffset}), so that one vector load
 * holds one dimension of L consecutive positions and L scores come out of headSize fmas with no
 * lane sums; values stay row by row, as the weighted sum reads them:
 * <pre>
 * block b of one layer, blockSize positions, kvDim = numKvHeads * headSize floats per position
 *   keys  : [kvDim][blockSize]   key dim d of position r at d * blockSize + r
 *   values: [blockSize][kvDim]   value dim d of position r at r * kvDim + d
 * score(r) = (sum over d in order of fma(q[d], key[d][r], .)) * scale, lane by lane
 * </pre>
 * A position's score is computed by the same fma sequence whichever lane or tail loop computes it,
 * and depends only on this token's query and its own sequence's cache, never on the rest of the
 * batch: that is what keeps greedy outputs batch-invariant.
 */
final class Attention {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int headSize;
    private final int kvDim;
    private final long rowBytes;
    private final int groupSize;
    private final float scale;

    Attention(ModelConfig config) {
        this.headSize = config.headSize();
        this.kvDim = config.kvDim();
        this.rowBytes = (long) kvDim * Float.BYTES;
        this.groupSize = config.groupSize();
        this.scale = (float) (1.0 / Math.sqrt(headSize));
    }

    /**
     * @param q      [numHeads * headSize] of this token, already rotated, at {@code qOffset}
     * @param out    [numHeads * headSize] receives head {@code head}'s output at the same offset
     * @param scores scratch of at least position + 1 floats
     */
    void attendHead(float[] q, int qOffset, int head, int position, BlockTable table, KvCache cache, int layer,
            float[] out, float[] scores) {
        int blockSize = cache.blockSize();
        long headBytes = (long) (head / groupSize) * headSize * Float.BYTES;
        int qBase = qOffset + head * headSize;
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p <= position; p += blockSize) {
            int block = table.get(p / blockSize);
            MemorySegment keys = cache.keys(layer, block);
            long base = cache.blockOffsetBytes(block) + headBytes * blockSize; // dim 0 of this KV head
            int rows = Math.min(blockSize, position + 1 - p);
            scores(q, qBase, keys, base, blockSize, rows, scores, p);
            for (int r = 0; r < rows; r++) {
                max = Math.max(max, scores[p + r]);
            }
        }
        float sum = 0f;
        for (int p = 0; p <= position; p++) {
            float e = (float) Math.exp(scores[p] - max);
            scores[p] = e;
            sum += e;
        }
        java.util.Arrays.fill(out, qBase, qBase + headSize, 0f);
        float inverseSum = 1f / sum;
        for (int p = 0; p <= position; p += blockSize) {
            int block = table.get(p / blockSize);
            MemorySegment values = cache.values(layer, block);
            long base = cache.blockOffsetBytes(block) + headBytes;
            int rows = Math.min(blockSize, position + 1 - p);
            for (int r = 0; r < rows; r++) {
                accumulate(out, qBase, values, base + r * rowBytes, scores[p + r] * inverseSum);
            }
        }
    }

    /**
     * Stores one token's key and value rows (k, v: kvDim floats at {@code at}) at {@code position} of
     * its sequence, in the block layout above.
     */
    void store(float[] k, float[] v, int at, int position, BlockTable table, KvCache cache, int layer) {
        int blockSize = cache.blockSize();
        int block = table.get(position / blockSize);
        int row = position % blockSize;
        long blockBytes = cache.blockOffsetBytes(block);
        MemorySegment keys = cache.keys(layer, block);
        for (int d = 0; d < kvDim; d++) {
            keys.set(FLOAT_LE, blockBytes + keyOffset(d, row, blockSize), k[at + d]);
        }
        MemorySegment.copy(v, at, cache.values(layer, block), FLOAT_LE, blockBytes + row * rowBytes, kvDim);
    }

    /** Offset in bytes of key dim {@code d} (0..kvDim) of position {@code r} inside a block. */
    private static long keyOffset(int d, int r, int blockSize) {
        return ((long) d * blockSize + r) * Float.BYTES;
    }

    /**
     * scores[at + r] for the block's positions r < rows: L at a time while L positions fit in the
     * block's key rows, the rest one by one with the same fmas.
     */
    private void scores(float[] q, int qBase, MemorySegment keys, long base, int blockSize, int rows, float[] out, int at) {
        int r = 0;
        for (; r < rows && r + F.length() <= blockSize; r += F.length()) {
            FloatVector acc = FloatVector.zero(F);
            long k = base + (long) r * Float.BYTES;
            for (int d = 0; d < headSize; d++, k += (long) blockSize * Float.BYTES) {
                acc = FloatVector.broadcast(F, q[qBase + d]).fma(FloatVector.fromMemorySegment(F, keys, k, ByteOrder.LITTLE_ENDIAN), acc);
            }
            int lanes = Math.min(F.length(), rows - r);
            if (lanes == F.length()) {
                acc.mul(scale).intoArray(out, at + r);
            } else {
                acc.mul(scale).intoArray(out, at + r, F.indexInRange(0, lanes));
            }
        }
        for (; r < rows; r++) {
            float acc = 0f;
            for (int d = 0; d < headSize; d++) {
                acc = Math.fma(q[qBase + d], keys.get(FLOAT_LE, base + keyOffset(d, r, blockSize)), acc);
            }
            out[at + r] = acc * scale;
        }
    }

    private void accumulate(float[] out, int outOffset, MemorySegment values, long valueBytes, float weight) {
        int i = 0;
        if (headSize >= F.length()) {
            FloatVector w = FloatVector.broadcast(F, weight);
            for (; i <= headSize - F.length(); i += F.length()) {
                FloatVector v = FloatVector.fromMemorySegment(F, values, valueBytes + (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
                v.fma(w, FloatVector.fromArray(F, out, outOffset + i)).intoArray(out, outOffset + i);
            }
        }
        for (; i < headSize; i++) {
            out[outOffset + i] += weight * values.get(FLOAT_LE, valueBytes + (long) i * Float.BYTES);
        }
    }
}
