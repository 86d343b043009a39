package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.WeightDequant.F32;

import dev.morphserve.tensor.Q8_KCodec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_K ({@link Q8_KCodec} layout: ggml's activation format, here as weights) decoded to floats for the
 * float tiles: {@code dst[e] = d * q[e]} with an f32 d, bit for bit as {@code dequantize_row_q8_K}.
 */
final class Q8_KKernels {
    static final int QK = Q8_KCodec.BLOCK;
    static final int BYTES = Q8_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q8_KKernels() {}

    /** Elements {@code k0 .. k0+n} (multiples of 256) of the row at {@code rowOff} to {@code dst[dstOff..]}. */
    static void dequant(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long at = rowOff + (long) (k0 / QK) * BYTES;
        for (int y = dstOff; y < dstOff + n; y += QK, at += BYTES) {
            float d = w.get(F32, at);
            for (int e = 0; e < QK; e += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, w, at + Q8_KCodec.QS + e, LE)
                                .convertShape(VectorOperators.B2F, F, 0))
                        .mul(d)
                        .intoArray(dst, y + e);
            }
        }
    }

    /** The scalar reference of {@link #dequant}: ggml's dequantization through the codec. */
    static void dequantScalar(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        Q8_KCodec.decode(w, rowOff + (long) (k0 / QK) * BYTES, dst, dstOff, n);
    }
}
