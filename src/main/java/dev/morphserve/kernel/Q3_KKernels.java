package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.WeightDequant.I16;

import dev.morphserve.tensor.Q3_KCodec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K weights ({@link Q3_KCodec} layout) decoded to floats for the float tiles, bit for bit as ggml's
 * {@code dequantize_row_q3_K}.
 *
 * <pre>
 * half n (128 elements), shift j = 0..3, l = 0..31; element e = 128n + 32j + l:
 *   low  = (qs[32n + l] >> 2j) & 3,   high = (hmask[l] >> (4n + j)) & 1
 *   dst[e] = (d * (s_(e/16) - 32)) * (low - 4 + 4*high)
 * </pre>
 */
final class Q3_KKernels {
    static final int QK = Q3_KCodec.BLOCK;
    static final int BYTES = Q3_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q3_KKernels() {}

    /** Elements {@code k0 .. k0+n} (multiples of 256) of the row at {@code rowOff} to {@code dst[dstOff..]}. */
    static void dequant(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long at = rowOff + (long) (k0 / QK) * BYTES;
        for (int y = dstOff; y < dstOff + n; y += QK, at += BYTES) {
            float d = Float.float16ToFloat(w.get(I16, at + Q3_KCodec.D));
            for (int l = 0; l < 32; l += L) {
                IntVector hm = bytes(w, at + l);
                for (int h = 0; h < 2; h++) {
                    IntVector qs = bytes(w, at + Q3_KCodec.QS + 32 * h + l);
                    for (int j = 0; j < 4; j++) {
                        int e = 128 * h + 32 * j + l;
                        float dl = d * (Q3_KCodec.scale(w, at + Q3_KCodec.SCALES, e / 16) - 32);
                        IntVector low = qs.lanewise(VectorOperators.LSHR, 2 * j).and(3);
                        IntVector high = hm.lanewise(VectorOperators.LSHR, 4 * h + j).and(1).lanewise(VectorOperators.LSHL, 2);
                        ((FloatVector) low.add(high).sub(4).convert(VectorOperators.I2F, 0)).mul(dl).intoArray(dst, y + e);
                    }
                }
            }
        }
    }

    private static IntVector bytes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** The scalar reference of {@link #dequant}: ggml's dequantization through the codec. */
    static void dequantScalar(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        Q3_KCodec.decode(w, rowOff + (long) (k0 / QK) * BYTES, dst, dstOff, n);
    }
}
