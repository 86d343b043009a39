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
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention of one query head of one token over its sequence's cached keys
 * and values (positions 0..position), walking the sequence's block table block by block.
 *
 * <p>Keys are stored transposed inside each block ({@link #keyOffset}), so that one vector load
 * holds one dimension of L consecutive positions and L scores come out of headSize fmas with no
 * lane sums; values stay row by row, as the weighted sum reads them:
 * <pre>
 * block b of one layer, blockSize positions, kvDim = numKvHeads * headSize elements per position
 *   keys  : [kvDim][blockSize]   key dim d of position r at (d * blockSize + r) * elementBytes
 *   values: [blockSize][kvDim]   value dim d of position r at (r * kvDim + d) * elementBytes
 * score(r) = (sum over d in order of fma(q[d], key[d][r], .)) * scale, lane by lane
 * </pre>
 * A position's score is computed by the same fma sequence whichever lane or tail loop computes it,
 * and depends only on this token's query and its own sequence's cache, never on the rest of the
 * batch: that is what keeps greedy outputs batch-invariant.
 *
 * <p>Elements are float32 or F16 ({@link KvType}). In vector lanes F16 elements are read as
 * h * 2^-112 ({@link Halves}: the Vector API has no half-to-float lane conversion) and the other
 * operand carries the 2^112: fma(q[d] * 2^112, key * 2^-112, .) rounds the same real product as
 * fma(q[d], key, .); scalar loops convert with {@link Float#float16ToFloat}. So the sums are those of
 * float32 attention over the F16-rounded keys and values, bit for bit. A query with some
 * |q[d]| >= 2^16 (or NaN), whose scaled value would overflow, takes the scalar loop for all its
 * scores. (A NaN element, never in a valid model, reads as a large finite value in lanes.)
 */
final class Attention {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private final int headSize;
    private final int kvDim;
    private final boolean halves; // F16 elements
    private final int elementBytes;
    private final long rowBytes;
    private final int groupSize;
    private final float scale;

    Attention(ModelConfig config, KvType type) {
        this.headSize = config.headSize();
        this.kvDim = config.kvDim();
        this.halves = type == KvType.F16;
        this.elementBytes = type.bytes();
        this.rowBytes = (long) kvDim * elementBytes;
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
        long headBytes = (long) (head / groupSize) * headSize * elementBytes;
        int qBase = qOffset + head * headSize;
        computeScores(q, qBase, headBytes * blockSize, position, table, cache, layer, scores);
        float max = Float.NEGATIVE_INFINITY;
        for (int r = 0; r <= position; r++) {
            max = Math.max(max, scores[r]);
        }
        java.util.Arrays.fill(out, qBase, qBase + headSize, 0f);
        float inverseSum = 1f / exponentiate(scores, position + 1, max);
        for (int p = 0; p <= position; p += blockSize) {
            int block = table.get(p / blockSize);
            MemorySegment values = cache.values(layer, block);
            long base = cache.blockOffsetBytes(block) + headBytes;
            int rows = Math.min(blockSize, position + 1 - p);
            int d = 0;
            for (; d + 4 * F.length() <= headSize; d += 4 * F.length()) {
                accumulate4(out, qBase + d, values, base + (long) d * elementBytes, rows, scores, p, inverseSum);
            }
            if (d + F.length() <= headSize) { // whole vectors past the last 4: position by position
                for (int r = 0; r < rows; r++) {
                    accumulate(out, qBase, d, values, base + r * rowBytes, scores[p + r] * inverseSum);
                }
                d = headSize - (headSize - d) % F.length();
            }
            if (d < headSize) {
                accumulateTail(out, qBase, d, values, base, rows, scores, p, inverseSum);
            }
        }
    }

    /**
     * scores[0 .. position] of the query head at qBase; {@code headOffset}: bytes from a block's start
     * to its keys of this KV head (dim 0, position 0).
     */
    private void computeScores(float[] q, int qBase, long headOffset, int position, BlockTable table, KvCache cache,
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

    /**
     * scores[0 .. n) = e^(score - max); returns their sum, added in order. The exp runs in float lanes
     * wherever a whole vector fits (13x faster than {@code Math.exp}, see {@link SwiGlu}); which
     * path a position takes depends only on n, the token's own position.
     */
    private static float exponentiate(float[] scores, int n, float max) {
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector.fromArray(F, scores, i).sub(max).lanewise(VectorOperators.EXP).intoArray(scores, i);
        }
        for (; i < n; i++) {
            scores[i] = (float) Math.exp(scores[i] - max);
        }
        float sum = 0f;
        for (i = 0; i < n; i++) {
            sum += scores[i];
        }
        return sum;
    }

    /**
     * Stores one token's key and value rows (k, v: kvDim floats at {@code at}) at {@code position} of
     * its sequence, in the block layout above; F16 rounds to nearest and saturates ({@link Halves#fromFloat}).
     */
    void store(float[] k, float[] v, int at, int position, BlockTable table, KvCache cache, int layer) {
        int blockSize = cache.blockSize();
        int block = table.get(position / blockSize);
        int row = position % blockSize;
        long blockBytes = cache.blockOffsetBytes(block);
        MemorySegment keys = cache.keys(layer, block);
        MemorySegment values = cache.values(layer, block);
        long valueRow = blockBytes + row * rowBytes;
        if (halves) {
            for (int d = 0; d < kvDim; d++) {
                keys.set(HALF_LE, blockBytes + keyOffset(d, row, blockSize), Halves.fromFloat(k[at + d]));
                values.set(HALF_LE, valueRow + (long) d * Short.BYTES, Halves.fromFloat(v[at + d]));
            }
        } else {
            for (int d = 0; d < kvDim; d++) {
                keys.set(FLOAT_LE, blockBytes + keyOffset(d, row, blockSize), k[at + d]);
            }
            MemorySegment.copy(v, at, values, FLOAT_LE, valueRow, kvDim);
        }
    }

    /** Offset in bytes of key dim {@code d} (0..kvDim) of position {@code r} inside a block. */
    private long keyOffset(int d, int r, int blockSize) {
        return ((long) d * blockSize + r) * elementBytes;
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

    /**
     * out[o .. o + 4L) = fma over the block's rows r in order of (value[r] * scores[p + r] * inverseSum),
     * in registers across the rows; per element the same sequence as {@link #accumulate}, which went
     * through memory (a store-to-load chain) once per position. F16 values take the weight times 2^112.
     */
    private void accumulate4(float[] out, int o, MemorySegment values, long at, int rows, float[] scores, int p,
            float inverseSum) {
        int n = F.length();
        long vector = (long) n * elementBytes;
        FloatVector c0 = FloatVector.fromArray(F, out, o);
        FloatVector c1 = FloatVector.fromArray(F, out, o + n);
        FloatVector c2 = FloatVector.fromArray(F, out, o + 2 * n);
        FloatVector c3 = FloatVector.fromArray(F, out, o + 3 * n);
        if (halves) {
            for (int r = 0; r < rows; r++, at += rowBytes) {
                FloatVector w = FloatVector.broadcast(F, scores[p + r] * inverseSum * Halves.BIAS_SCALE);
                c0 = Halves.load(values, at).fma(w, c0);
                c1 = Halves.load(values, at + vector).fma(w, c1);
                c2 = Halves.load(values, at + 2 * vector).fma(w, c2);
                c3 = Halves.load(values, at + 3 * vector).fma(w, c3);
            }
            c0.intoArray(out, o);
            c1.intoArray(out, o + n);
            c2.intoArray(out, o + 2 * n);
            c3.intoArray(out, o + 3 * n);
        } else {
            for (int r = 0; r < rows; r++, at += rowBytes) {
                FloatVector w = FloatVector.broadcast(F, scores[p + r] * inverseSum);
                c0 = FloatVector.fromMemorySegment(F, values, at, LE).fma(w, c0);
                c1 = FloatVector.fromMemorySegment(F, values, at + vector, LE).fma(w, c1);
                c2 = FloatVector.fromMemorySegment(F, values, at + 2 * vector, LE).fma(w, c2);
                c3 = FloatVector.fromMemorySegment(F, values, at + 3 * vector, LE).fma(w, c3);
            }
            c0.intoArray(out, o);
            c1.intoArray(out, o + n);
            c2.intoArray(out, o + 2 * n);
            c3.intoArray(out, o + 3 * n);
        }
    }

    /**
     * out[outOffset + i ..] += value row * weight for the whole vectors of dims from {@code from} on
     * (those {@link #accumulate4} left).
     */
    private void accumulate(float[] out, int outOffset, int from, MemorySegment values, long valueBytes, float weight) {
        FloatVector w = FloatVector.broadcast(F, halves ? weight * Halves.BIAS_SCALE : weight);
        if (halves) {
            for (int i = from; i <= headSize - F.length(); i += F.length()) {
                FloatVector v = Halves.load(values, valueBytes + (long) i * Short.BYTES);
                v.fma(w, FloatVector.fromArray(F, out, outOffset + i)).intoArray(out, outOffset + i);
            }
        } else {
            for (int i = from; i <= headSize - F.length(); i += F.length()) {
                FloatVector v = FloatVector.fromMemorySegment(F, values, valueBytes + (long) i * Float.BYTES, LE);
                v.fma(w, FloatVector.fromArray(F, out, outOffset + i)).intoArray(out, outOffset + i);
            }
        }
    }

    /**
     * out[outOffset + i] += value[r][i] * weight[r] over the block's rows r in order, for the dims i
     * from {@code from} on that fill no vector (all of them when headSize < L, as in stories260K):
     * dim by dim, the sum kept in a register across the rows rather than stored once per position.
     */
    private void accumulateTail(float[] out, int outOffset, int from, MemorySegment values, long base, int rows,
            float[] scores, int p, float inverseSum) {
        for (int i = from; i < headSize; i++) {
            float acc = out[outOffset + i];
            long at = base + (long) i * elementBytes;
            if (halves) {
                for (int r = 0; r < rows; r++, at += rowBytes) {
                    acc += scores[p + r] * inverseSum * Float.float16ToFloat(values.get(HALF_LE, at));
                }
            } else {
                for (int r = 0; r < rows; r++, at += rowBytes) {
                    acc += scores[p + r] * inverseSum * values.get(FLOAT_LE, at);
                }
            }
            out[outOffset + i] = acc;
        }
    }
}
