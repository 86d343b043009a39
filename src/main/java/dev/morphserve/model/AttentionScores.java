package dev.morphserve.model;

import dev.morphserve.kernel.Halves;
import dev.morphserve.kernel.Lanes;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvCache;
import dev.morphserve.kvcache.KvType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The scores half of {@link Attention}: q . key(r) * scale for every cached position r of one query
 * head, from the transposed keys of each block (layout and rounding rules in {@link Attention}).
 * Each element type has its own loops and stores, so no vector is merged across the branch.
 */
final class AttentionScores {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private final int headSize;
    private final boolean halves; // F16 elements
    private final int elementBytes;
    private final float scale;

    AttentionScores(int headSize, KvType type) {
        this.headSize = headSize;
        this.halves = type == KvType.F16;
        this.elementBytes = type.bytes();
        this.scale = (float) (1.0 / Math.sqrt(headSize));
    }

    /**
     * scores[0 .. position] of the query head at qBase; {@code headOffset}: bytes from a block's start
     * to its keys of this KV head (dim 0, position 0).
     */
    void compute(float[] q, int qBase, long headOffset, int position, BlockTable table, KvCache cache,
            int layer, float[] scores) {
        int blockSize = cache.blockSize();
        if (halves && !scalable(q, qBase, headSize)) {
            for (int p = 0; p <= position; p += blockSize) {
                int block = table.get(p / blockSize);
                int rows = Math.min(blockSize, position + 1 - p);
                scalarScores(q, qBase, cache.keys(layer, block), cache.blockOffsetBytes(block) + headOffset, blockSize, 0, rows,
                        scores, p);
            }
            return;
        }
        int p = 0;
        if (blockSize == F.length()) {
            for (; p + 4 * blockSize <= position + 1; p += 4 * blockSize) {
                scores4(q, qBase, table, cache, layer, headOffset, p, scores);
            }
        }
        for (; p <= position; p += blockSize) {
            int block = table.get(p / blockSize);
            int rows = Math.min(blockSize, position + 1 - p);
            scores(q, qBase, cache.keys(layer, block), cache.blockOffsetBytes(block) + headOffset, blockSize, rows, scores, p);
        }
    }

    /** Whether every q[d] of the head times 2^112 stays finite (false for NaN). */
    private static boolean scalable(float[] q, int qBase, int headSize) {
        boolean inRange = true;
        for (int d = 0; d < headSize; d++) {
            inRange &= Math.abs(q[qBase + d]) < Halves.MAX_ABS_SCALED;
        }
        return inRange;
    }

    /** Offset in bytes of key dim {@code d} (0..kvDim) of position {@code r} inside a block. */
    static long keyOffset(int d, int r, int blockSize, int elementBytes) {
        return ((long) d * blockSize + r) * elementBytes;
    }

    private long keyOffset(int d, int r, int blockSize) {
        return keyOffset(d, r, blockSize, elementBytes);
    }

    /** The element at {@code at} as a float (the JIT converts a half in one instruction). */
    private float element(MemorySegment segment, long at) {
        return halves ? Float.float16ToFloat(segment.get(HALF_LE, at)) : segment.get(FLOAT_LE, at);
    }

    /**
     * scores[at + r] for the block's positions r < rows: L at a time while L positions fit in the
     * block's key rows, the rest one by one with the same fmas.
     */
    private void scores(float[] q, int qBase, MemorySegment keys, long base, int blockSize, int rows, float[] out,
            int at) {
        int r = 0;
        for (; r < rows && r + F.length() <= blockSize; r += F.length()) {
            scoreLanes(q, qBase, keys, base + (long) r * elementBytes, blockSize, out, at + r, Math.min(F.length(), rows - r));
        }
        scalarScores(q, qBase, keys, base, blockSize, r, rows, out, at);
    }

    /** L positions' scores from their transposed keys at {@code k}; the first {@code lanes} go to out[at..]. */
    private void scoreLanes(float[] q, int qBase, MemorySegment keys, long k, int blockSize, float[] out, int at,
            int lanes) {
        long stride = (long) blockSize * elementBytes; // from one key dim to the next
        FloatVector acc = FloatVector.zero(F);
        if (halves) {
            for (int d = 0; d < headSize; d++, k += stride) {
                acc = FloatVector.broadcast(F, q[qBase + d] * Halves.BIAS_SCALE).fma(Halves.load(keys, k), acc);
            }
            intoScores(acc.mul(scale), out, at, lanes);
        } else {
            for (int d = 0; d < headSize; d++, k += stride) {
                acc = FloatVector.broadcast(F, q[qBase + d]).fma(FloatVector.fromMemorySegment(F, keys, k, LE), acc);
            }
            intoScores(acc.mul(scale), out, at, lanes);
        }
    }

    private static void intoScores(FloatVector v, float[] out, int at, int lanes) {
        if (lanes == F.length()) {
            v.intoArray(out, at);
        } else {
            v.intoArray(out, at, F.indexInRange(0, lanes));
        }
    }

    /** scores[at + r] for positions r in [from, rows) one by one, with the lanes' fmas. */
    private void scalarScores(float[] q, int qBase, MemorySegment keys, long base, int blockSize, int from, int rows,
            float[] out, int at) {
        for (int r = from; r < rows; r++) {
            float acc = 0f;
            for (int d = 0; d < headSize; d++) {
                acc = Math.fma(q[qBase + d], element(keys, base + keyOffset(d, r, blockSize)), acc);
            }
            out[at + r] = acc * scale;
        }
    }

    /**
     * {@link #scores} of 4 whole blocks of L positions from p on, their fma chains interleaved: one
     * chain alone waited on the fma latency (prefill attention of 128 tokens took 13 % of the step).
     * Each position gets the same fma sequence as in {@link #scores}. Each element type has its own
     * loop and stores: no vector is merged across the branch.
     */
    private void scores4(float[] q, int qBase, BlockTable table, KvCache cache, int layer, long headOffset, int p,
            float[] out) {
        int b = p / F.length();
        int b0 = table.get(b);
        int b1 = table.get(b + 1);
        int b2 = table.get(b + 2);
        int b3 = table.get(b + 3);
        MemorySegment k0 = cache.keys(layer, b0);
        MemorySegment k1 = cache.keys(layer, b1);
        MemorySegment k2 = cache.keys(layer, b2);
        MemorySegment k3 = cache.keys(layer, b3);
        long o0 = cache.blockOffsetBytes(b0) + headOffset;
        long o1 = cache.blockOffsetBytes(b1) + headOffset;
        long o2 = cache.blockOffsetBytes(b2) + headOffset;
        long o3 = cache.blockOffsetBytes(b3) + headOffset;
        long stride = (long) F.length() * elementBytes; // one key dim of the block's L positions
        int n = F.length();
        if (halves) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < headSize; d++) {
                FloatVector qd = FloatVector.broadcast(F, q[qBase + d] * Halves.BIAS_SCALE);
                long at = d * stride;
                a0 = qd.fma(Halves.load(k0, o0 + at), a0);
                a1 = qd.fma(Halves.load(k1, o1 + at), a1);
                a2 = qd.fma(Halves.load(k2, o2 + at), a2);
                a3 = qd.fma(Halves.load(k3, o3 + at), a3);
            }
            a0.mul(scale).intoArray(out, p);
            a1.mul(scale).intoArray(out, p + n);
            a2.mul(scale).intoArray(out, p + 2 * n);
            a3.mul(scale).intoArray(out, p + 3 * n);
        } else {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < headSize; d++) {
                FloatVector qd = FloatVector.broadcast(F, q[qBase + d]);
                long at = d * stride;
                a0 = qd.fma(FloatVector.fromMemorySegment(F, k0, o0 + at, LE), a0);
                a1 = qd.fma(FloatVector.fromMemorySegment(F, k1, o1 + at, LE), a1);
                a2 = qd.fma(FloatVector.fromMemorySegment(F, k2, o2 + at, LE), a2);
                a3 = qd.fma(FloatVector.fromMemorySegment(F, k3, o3 + at, LE), a3);
            }
            a0.mul(scale).intoArray(out, p);
            a1.mul(scale).intoArray(out, p + n);
            a2.mul(scale).intoArray(out, p + 2 * n);
            a3.mul(scale).intoArray(out, p + 3 * n);
        }
    }
}
