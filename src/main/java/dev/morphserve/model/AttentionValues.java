package dev.morphserve.model;

import dev.morphserve.kernel.Halves;
import dev.morphserve.kernel.Lanes;
import dev.morphserve.kvcache.KvType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weighted-sum half of {@link Attention}: out += softmax weight(r) * value(r) over a block's
 * value rows, whole vectors of dims in registers, the leftover dims one by one (layout and rounding
 * rules in {@link Attention}).
 */
final class AttentionValues {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private final int headSize;
    private final boolean halves; // F16 elements
    private final int elementBytes;
    private final long rowBytes; // one position's value row: kvDim elements

    AttentionValues(int headSize, int kvDim, KvType type) {
        this.headSize = headSize;
        this.halves = type == KvType.F16;
        this.elementBytes = type.bytes();
        this.rowBytes = (long) kvDim * elementBytes;
    }

    /**
     * out[o .. o + 4L) = fma over the block's rows r in order of (value[r] * scores[p + r] * inverseSum),
     * in registers across the rows; per element the same sequence as {@link #accumulate}, which went
     * through memory (a store-to-load chain) once per position. F16 values take the weight times 2^112.
     */
    void accumulate4(float[] out, int o, MemorySegment values, long at, int rows, float[] scores, int p,
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
    void accumulate(float[] out, int outOffset, int from, MemorySegment values, long valueBytes, float weight) {
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
    void accumulateTail(float[] out, int outOffset, int from, MemorySegment values, long base, int rows,
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
