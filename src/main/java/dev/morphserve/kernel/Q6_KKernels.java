package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.WeightDequant.I16;

import dev.morphserve.tensor.Q6_KCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K weights ({@link Q6_KCodec} layout) decoded to floats for the float tiles, bit for bit as ggml's
 * {@code dequantize_row_q6_K}.
 *
 * <pre>
 * half n (128 elements), l = 0..31, one load each of ql[64n + l], ql[64n + 32 + l], qh[32n + l]:
 *   quarter k = 0: ql lo  | qh bits 0-1      1: ql+32 lo | qh bits 2-3
 *   quarter k = 2: ql hi  | qh bits 4-5      3: ql+32 hi | qh bits 6-7
 *   dst[128n + 32k + l] = (d * scales[8n + 2k + l/16]) * (q - 32)
 * </pre>
 * A vector of L <= 16 lanes starting at a multiple of L never straddles two 16-element scales.
 */
final class Q6_KKernels {
    static final int QK = Q6_KCodec.BLOCK;
    static final int BYTES = Q6_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q6_KKernels() {}

    /** Elements {@code k0 .. k0+n} (multiples of 256) of the row at {@code rowOff} to {@code dst[dstOff..]}. */
    static void dequant(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long at = rowOff + (long) (k0 / QK) * BYTES;
        for (int y = dstOff; y < dstOff + n; y += QK, at += BYTES) {
            float d = Float.float16ToFloat(w.get(I16, at + Q6_KCodec.D));
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l += L) {
                    IntVector ql0 = bytes(w, at + 64 * h + l);
                    IntVector ql1 = bytes(w, at + 64 * h + 32 + l);
                    IntVector qh = bytes(w, at + Q6_KCodec.QH + 32 * h + l);
                    int yh = y + 128 * h + l;
                    long sc = at + Q6_KCodec.SCALES + 8 * h + l / 16;
                    store(ql0.and(0xF).or(qh.and(3).lanewise(VectorOperators.LSHL, 4)), d, w, sc, dst, yh);
                    store(ql1.and(0xF).or(qh.and(0xC).lanewise(VectorOperators.LSHL, 2)), d, w, sc + 2, dst, yh + 32);
                    store(ql0.lanewise(VectorOperators.LSHR, 4).or(qh.and(0x30)), d, w, sc + 4, dst, yh + 64);
                    store(ql1.lanewise(VectorOperators.LSHR, 4).or(qh.and(0xC0).lanewise(VectorOperators.LSHR, 2)), d, w,
                            sc + 6, dst, yh + 96);
                }
            }
        }
    }

    /** dst[y..y+L) = (d * scale) * (q - 32), the scale an int8 at {@code sc}. */
    private static void store(IntVector q, float d, MemorySegment w, long sc, float[] dst, int y) {
        float ds = d * w.get(ValueLayout.JAVA_BYTE, sc);
        ((FloatVector) q.sub(32).convert(VectorOperators.I2F, 0)).mul(ds).intoArray(dst, y);
    }

    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** The scalar reference of {@link #dequant}: ggml's dequantization through the codec. */
    static void dequantScalar(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        Q6_KCodec.decode(w, rowOff + (long) (k0 / QK) * BYTES, dst, dstOff, n);
    }
}
