package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.WeightDequant.I16;

import dev.morphserve.tensor.KScales;
import dev.morphserve.tensor.Q5_KCodec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_K weights ({@link Q5_KCodec} layout) decoded to floats for the float tiles, bit for bit as ggml's
 * {@code dequantize_row_q5_K}.
 *
 * <pre>
 * chunk c (64 elements): low 4 bits in qs[32c + l] (nibbles as Q4_K), 5th bit at bits 2c / 2c+1 of qh[l]
 *   dst[64c + l]      = (d*s_2c)   * q - (dmin*m_2c)
 *   dst[64c + 32 + l] = (d*s_2c+1) * q - (dmin*m_2c+1)
 * </pre>
 */
final class Q5_KKernels {
    static final int QK = Q5_KCodec.BLOCK;
    static final int BYTES = Q5_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q5_KKernels() {}

    /** Elements {@code k0 .. k0+n} (multiples of 256) of the row at {@code rowOff} to {@code dst[dstOff..]}. */
    static void dequant(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long at = rowOff + (long) (k0 / QK) * BYTES;
        for (int y = dstOff; y < dstOff + n; y += QK, at += BYTES) {
            float d = Float.float16ToFloat(w.get(I16, at));
            float dmin = Float.float16ToFloat(w.get(I16, at + 2));
            for (int c = 0; c < QK / 64; c++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(w, at + Q5_KCodec.SCALES, 2 * c));
                FloatVector m1 = FloatVector.broadcast(F, dmin * KScales.min(w, at + Q5_KCodec.SCALES, 2 * c));
                FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(w, at + Q5_KCodec.SCALES, 2 * c + 1));
                FloatVector m2 = FloatVector.broadcast(F, dmin * KScales.min(w, at + Q5_KCodec.SCALES, 2 * c + 1));
                long qs = at + Q5_KCodec.QS + 32 * c;
                int yc = y + 64 * c;
                for (int l = 0; l < 32; l += L) {
                    IntVector q = bytes(w, qs + l);
                    IntVector h = bytes(w, at + Q5_KCodec.QH + l).lanewise(VectorOperators.LSHR, 2 * c);
                    IntVector lo = q.and(0xF).or(h.and(1).lanewise(VectorOperators.LSHL, 4));
                    IntVector hi = q.lanewise(VectorOperators.LSHR, 4).or(h.and(2).lanewise(VectorOperators.LSHL, 3));
                    ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(dst, yc + l);
                    ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d2).sub(m2).intoArray(dst, yc + 32 + l);
                }
            }
        }
    }

    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** The scalar reference of {@link #dequant}: ggml's dequantization through the codec. */
    static void dequantScalar(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        Q5_KCodec.decode(w, rowOff + (long) (k0 / QK) * BYTES, dst, dstOff, n);
    }
}
