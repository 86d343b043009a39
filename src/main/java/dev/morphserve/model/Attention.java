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
    private final AttentionScores keyScores;
    private final AttentionValues valueSums;

    Attention(ModelConfig config, KvType type) {
        this.headSize = config.headSize();
        this.kvDim = config.kvDim();
        this.halves = type == KvType.F16;
        this.elementBytes = type.bytes();
        this.rowBytes = (long) kvDim * elementBytes;
        this.groupSize = config.groupSize();
        this.keyScores = new AttentionScores(headSize, type);
        this.valueSums = new AttentionValues(headSize, kvDim, type);
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
        keyScores.compute(q, qBase, headBytes * blockSize, position, table, cache, layer, scores);
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
                valueSums.accumulate4(out, qBase + d, values, base + (long) d * elementBytes, rows, scores, p, inverseSum);
            }
            if (d + F.length() <= headSize) { // whole vectors past the last 4: position by position
                for (int r = 0; r < rows; r++) {
                    valueSums.accumulate(out, qBase, d, values, base + r * rowBytes, scores[p + r] * inverseSum);
                }
                d = headSize - (headSize - d) % F.length();
            }
            if (d < headSize) {
                valueSums.accumulateTail(out, qBase, d, values, base, rows, scores, p, inverseSum);
            }
        }
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
                keys.set(HALF_LE, blockBytes + AttentionScores.keyOffset(d, row, blockSize, elementBytes), Halves.fromFloat(k[at + d]));
                values.set(HALF_LE, valueRow + (long) d * Short.BYTES, Halves.fromFloat(v[at + d]));
            }
        } else {
            for (int d = 0; d < kvDim; d++) {
                keys.set(FLOAT_LE, blockBytes + AttentionScores.keyOffset(d, row, blockSize, elementBytes), k[at + d]);
            }
            MemorySegment.copy(v, at, values, FLOAT_LE, valueRow, kvDim);
        }
    }
}
