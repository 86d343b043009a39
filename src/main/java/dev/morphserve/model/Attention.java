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
 * and values (positions 0..position), walking the sequence's block table block by block so that
 * rows inside a block are read contiguously.
 *
 * <p>Each output depends only on this token's query and its own sequence's cache, never on the
 * rest of the batch: that is what keeps greedy outputs batch-invariant.
 */
final class Attention {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int headSize;
    private final long rowBytes;
    private final int groupSize;
    private final float scale;

    Attention(ModelConfig config) {
        this.headSize = config.headSize();
        this.rowBytes = (long) config.kvDim() * Float.BYTES;
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
            long base = cache.blockOffsetBytes(block) + headBytes;
            int rows = Math.min(blockSize, position + 1 - p);
            for (int r = 0; r < rows; r++) {
                float s = dot(q, qBase, keys, base + r * rowBytes) * scale;
                scores[p + r] = s;
                max = Math.max(max, s);
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

    /** q . k over one head; lanes summed in a fixed order so results never depend on the JIT tier. */
    private float dot(float[] q, int qOffset, MemorySegment keys, long keyBytes) {
        int i = 0;
        float sum = 0f;
        if (headSize >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (; i <= headSize - F.length(); i += F.length()) {
                FloatVector k = FloatVector.fromMemorySegment(F, keys, keyBytes + (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
                acc = FloatVector.fromArray(F, q, qOffset + i).fma(k, acc);
            }
            sum = Lanes.sum(acc); // a butterfly: lane by lane, the reduction cost more than the fmas
        }
        for (; i < headSize; i++) {
            sum += q[qOffset + i] * keys.get(FLOAT_LE, keyBytes + (long) i * Float.BYTES);
        }
        return sum;
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
