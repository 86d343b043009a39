package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Lanes.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector decoders from a weight row's encoded bytes to floats in a scratch panel, one method per
 * type so that each stays small and monomorphic. Every decoded value equals ggml's dequantization
 * bit for bit (and TensorCodec's): q*d for Q8_0, (q-8)*d for Q4_0, exact widening for F16/BF16.
 *
 * <p>{@code k0} and {@code n} count elements; for quantized types both are multiples of 32.
 */
final class WeightDequant {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private WeightDequant() {}

    static void f32(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        MemorySegment.copy(w, F32, rowOff + 4L * k0, dst, dstOff, n);
    }

    /**
     * The Vector API has no half-float conversion, but C2 vectorizes {@code Float.float16ToFloat} over
     * arrays into vcvtph2ps, so the halves take a bulk copy into {@code halves} first.
     */
    static void f16(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff, short[] halves) {
        MemorySegment.copy(w, I16, rowOff + 2L * k0, halves, 0, n);
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(halves[i]);
        }
    }

    /** bf16 is the upper half of an f32: widen each short to an int lane and shift it into place. */
    static void bf16(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long off = rowOff + 2L * k0;
        int i = 0;
        for (; i <= n - L; i += L) {
            ShortVector h = ShortVector.fromMemorySegment(S, w, off + 2L * i, LE);
            ((IntVector) h.convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = Float.intBitsToFloat(w.get(I16, off + 2L * i) << 16);
        }
    }

    /**
     * <pre>
     * block b: [d f16][q0 .. q31 int8]  ->  dst[32b + j] = q_j * d
     * </pre>
     */
    static void q8_0(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long off = rowOff + (long) (k0 / 32) * 34;
        for (int b = 0; b < n / 32; b++, off += 34) {
            float d = Float.float16ToFloat(w.get(I16, off));
            int y = dstOff + b * 32;
            for (int j = 0; j < 32; j += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, w, off + 2 + j, LE)
                                .convertShape(VectorOperators.B2F, F, 0))
                        .mul(d)
                        .intoArray(dst, y + j);
            }
        }
    }

    /**
     * <pre>
     * block b: [d f16][16 bytes]   byte j = q_j | q_(j+16) << 4
     *   low nibbles  -> dst[32b + j]      = (q_j - 8) * d        j = 0..15
     *   high nibbles -> dst[32b + 16 + j] = (q_(j+16) - 8) * d
     * </pre>
     * fma(q, d, -8d) equals (q-8)*d exactly: -8d is exact and the fma rounds once.
     */
    static void q4_0(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long off = rowOff + (long) (k0 / 32) * 18;
        for (int b = 0; b < n / 32; b++, off += 18) {
            float d = Float.float16ToFloat(w.get(I16, off));
            FloatVector dv = FloatVector.broadcast(F, d);
            FloatVector m8d = FloatVector.broadcast(F, -8f * d);
            int y = dstOff + b * 32;
            for (int j = 0; j < 16; j += L) {
                IntVector packed = (IntVector) ByteVector.fromMemorySegment(B, w, off + 2 + j, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector lo = (FloatVector) packed.and(0x0f).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
                lo.fma(dv, m8d).intoArray(dst, y + j);
                hi.fma(dv, m8d).intoArray(dst, y + 16 + j);
            }
        }
    }
}
