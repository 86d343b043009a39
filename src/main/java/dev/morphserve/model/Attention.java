package dev.morphserve.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention of one query head of one token over its sequence's cached keys
 * and values (positions 0..position), reading K/V rows through the sequence's slot mapping so that
 * contiguous and paged caches look the same.
 */
final class Attention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final int headSize;
    private final int kvDim;
    private final int groupSize;
    private final float scale;

    Attention(ModelConfig config) {
        this.headSize = config.headSize();
        this.kvDim = config.kvDim();
        this.groupSize = config.groupSize();
        this.scale = (float) (1.0 / Math.sqrt(headSize));
    }

    /**
     * @param q      [numHeads * headSize] of this token, already rotated, at {@code qOffset}
     * @param out    [numHeads * headSize] receives head {@code head}'s output at the same offset
     * @param scores scratch of at least position + 1 floats
     */
    void attendHead(
            float[] q, int qOffset, int head, int position, KvCache.SlotMapping slots,
            MemorySegment keys, MemorySegment values, float[] out, float[] scores) {
        int headOffset = head * headSize;
        long kvHeadBytes = (long) (head / groupSize) * headSize * Float.BYTES;
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p <= position; p++) {
            long rowBytes = (long) slots.slot(p) * kvDim * Float.BYTES + kvHeadBytes;
            float s = dot(q, qOffset + headOffset, keys, rowBytes) * scale;
            scores[p] = s;
            max = Math.max(max, s);
        }
        float sum = 0f;
        for (int p = 0; p <= position; p++) {
            float e = (float) Math.exp(scores[p] - max);
            scores[p] = e;
            sum += e;
        }
        int o = qOffset + headOffset;
        java.util.Arrays.fill(out, o, o + headSize, 0f);
        float inverseSum = 1f / sum;
        for (int p = 0; p <= position; p++) {
            long rowBytes = (long) slots.slot(p) * kvDim * Float.BYTES + kvHeadBytes;
            accumulate(out, o, values, rowBytes, scores[p] * inverseSum);
        }
    }

    private float dot(float[] q, int qOffset, MemorySegment keys, long keyBytes) {
        int i = 0;
        float sum = 0f;
        if (headSize >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (; i <= headSize - F.length(); i += F.length()) {
                FloatVector k = FloatVector.fromMemorySegment(F, keys, keyBytes + (long) i * Float.BYTES, java.nio.ByteOrder.LITTLE_ENDIAN);
                acc = FloatVector.fromArray(F, q, qOffset + i).fma(k, acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < headSize; i++) {
            sum += q[qOffset + i] * keys.get(FLOAT_LE, keyBytes + (long) i * Float.BYTES);
        }
        return sum;
    }

    private void accumulate(float[] out, int outOffset, MemorySegment values, long valueBytes, float weight) {
        int i = 0;
        if (headSize >= F.length()) {
            for (; i <= headSize - F.length(); i += F.length()) {
                FloatVector v = FloatVector.fromMemorySegment(F, values, valueBytes + (long) i * Float.BYTES, java.nio.ByteOrder.LITTLE_ENDIAN);
                v.fma(FloatVector.broadcast(F, weight), FloatVector.fromArray(F, out, outOffset + i)).intoArray(out, outOffset + i);
            }
        }
        for (; i < headSize; i++) {
            out[outOffset + i] += weight * values.get(FLOAT_LE, valueBytes + (long) i * Float.BYTES);
        }
    }
}
