package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.WeightDequant.I16;

import dev.morphserve.tensor.Q2_KCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K weights ({@link Q2_KCodec} layout) decoded to floats for the float tiles, bit for bit as ggml's
 * {@code dequantize_row_q2_K}.
 *
 * <pre>
 * half n (128 elements), shift j = 0..3, l = 0..31; element e = 128n + 32j + l:
 *   q = (qs[32n + l] >> 2j) & 3,   sc = scales[e / 16]
 *   dst[e] = (d * (sc & 15)) * q - (dmin * (sc >> 4))        (multiply, then subtract: no fma)
 * </pre>
 */
final class Q2_KKernels {
    static final int QK = Q2_KCodec.BLOCK;
    static final int BYTES = Q2_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q2_KKernels() {}

    /** Elements {@code k0 .. k0+n} (multiples of 256) of the row at {@code rowOff} to {@code dst[dstOff..]}. */
    static void dequant(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long at = rowOff + (long) (k0 / QK) * BYTES;
        for (int y = dstOff; y < dstOff + n; y += QK, at += BYTES) {
            float d = Float.float16ToFloat(w.get(I16, at + Q2_KCodec.D));
            float dmin = Float.float16ToFloat(w.get(I16, at + Q2_KCodec.D + 2));
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l += L) {
                    IntVector qs = (IntVector) ByteVector.fromMemorySegment(B, w, at + Q2_KCodec.QS + 32 * h + l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    for (int j = 0; j < 4; j++) {
                        int e = 128 * h + 32 * j + l;
                        int sc = w.get(ValueLayout.JAVA_BYTE, at + e / 16) & 0xff;
                        FloatVector dl = FloatVector.broadcast(F, d * (sc & 0xF));
                        FloatVector ml = FloatVector.broadcast(F, dmin * (sc >> 4));
                        ((FloatVector) qs.lanewise(VectorOperators.LSHR, 2 * j).and(3).convert(VectorOperators.I2F, 0))
                                .mul(dl).sub(ml).intoArray(dst, y + e);
                    }
                }
            }
        }
    }

    /** The scalar reference of {@link #dequant}: ggml's dequantization through the codec. */
    static void dequantScalar(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        Q2_KCodec.decode(w, rowOff + (long) (k0 / QK) * BYTES, dst, dstOff, n);
    }
}
