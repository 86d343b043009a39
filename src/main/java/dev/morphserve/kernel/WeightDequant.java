package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Lanes.S;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
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
 * <p>{@code k0} and {@code n} count elements; for quantized types both are multiples of the block size.
 */
final class WeightDequant {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private WeightDequant() {}

    /**
     * Elements {@code k0 .. k0+n} of row {@code row} of a ggml-layout tensor to {@code dst[dstOff..]}, by type
     * (K-quants: their own files, e.g. {@link Q4_KKernels#dequant}).
     *
     * @param halves [n] F16 scratch
     */
    static void row(Tensor w, int row, int k0, int n, float[] dst, int dstOff, short[] halves) {
        MemorySegment seg = w.data();
        long rowOff = row * w.rowBytes();
        switch (w.type()) {
            case F32 -> f32(seg, rowOff, k0, n, dst, dstOff);
            case F16 -> f16(seg, rowOff, k0, n, dst, dstOff, halves);
            case BF16 -> bf16(seg, rowOff, k0, n, dst, dstOff);
            case Q8_0 -> q8_0(seg, rowOff, k0, n, dst, dstOff);
            case Q4_0 -> q4_0(seg, rowOff, k0, n, dst, dstOff);
            case Q2_K -> Q2_KKernels.dequant(seg, rowOff, k0, n, dst, dstOff);
            case Q3_K -> Q3_KKernels.dequant(seg, rowOff, k0, n, dst, dstOff);
            case Q4_K -> Q4_KKernels.dequant(seg, rowOff, k0, n, dst, dstOff);
            case Q5_K -> Q5_KKernels.dequant(seg, rowOff, k0, n, dst, dstOff);
            case Q6_K -> Q6_KKernels.dequant(seg, rowOff, k0, n, dst, dstOff);
            case Q8_K -> Q8_KKernels.dequant(seg, rowOff, k0, n, dst, dstOff);
            default -> throw new UnsupportedOperationException("unsupported weight type " + w.type());
        }
    }

    /** The types {@link #row} reads: every computable type. */
    static boolean decodes(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> true;
            default -> false;
        };
    }

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
