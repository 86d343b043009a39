package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;
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
 * Q6_K weights, decoded to ggml's floats bit for bit ({@code dequantize_row_q6_K}). In ggml layout
 * ({@link Q6_KCodec}), for the float tiles:
 *
 * <pre>
 * half n (128 elements), l = 0..31, one load each of ql[64n + l], ql[64n + 32 + l], qh[32n + l]:
 *   quarter k = 0: ql lo  | qh bits 0-1      1: ql+32 lo | qh bits 2-3
 *   quarter k = 2: ql hi  | qh bits 4-5      3: ql+32 hi | qh bits 6-7
 *   dst[128n + 32k + l] = (d * scales[8n + 2k + l/16]) * (q - 32)
 * </pre>
 * A vector of L <= 16 lanes starting at a multiple of L never straddles two 16-element scales.
 *
 * <p>In {@link KPanels} layout (codes q - 32 as int8, one per row and column), per row and chunk of
 * {@link #CHUNK} columns: {@code a = fma(w_c, x_c, a)} from zero over the chunk's columns in order with
 * w_c = (d*scale)*code, then {@code acc += a}: {@link PanelTiles#tile4x6F16}'s sequence, which batches run
 * on {@link #panelChunk}'s scratch and the decode step ({@link #panelStep}) straight from the codes.
 */
final class Q6_KKernels {
    static final int QK = Q6_KCodec.BLOCK;
    static final int BYTES = Q6_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Columns of one fma chain: {@link PanelKernels#NB} blocks of 32, as the F16 tiles chain them. */
    static final int CHUNK = PanelKernels.NB * 32;

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

    // ---------------------------------------------------------------- KPanels layout

    /**
     * One token times one group (4L rows) of {@link KPanels} data starting at {@code at}.
     *
     * @param res  [4L] out: the rows' results
     * @param part [4L] scratch: the chains of the current chunk
     */
    static void panelStep(MemorySegment w, long at, int supers, float[] x, float[] res, float[] part) {
        java.util.Arrays.fill(res, 0, GROUP_ROWS, 0f);
        long bytes = KPanels.superBytes(dev.morphserve.gguf.GgmlType.Q6_K);
        for (int s = 0; s < supers; s++, at += bytes) {
            for (int c = 0; c < QK; c += CHUNK) {
                java.util.Arrays.fill(part, 0, GROUP_ROWS, 0f);
                for (int k = c / 16; k < (c + CHUNK) / 16; k++) {
                    sixteen(w, at, k, x, s * QK + 16 * k, part);
                }
                for (int r = 0; r < GROUP_ROWS; r += L) {
                    FloatVector.fromArray(F, part, r).add(FloatVector.fromArray(F, res, r)).intoArray(res, r);
                }
            }
        }
    }

    /** The chains of 4 panels over the 16 columns of sub-block k, carried in {@code part} from one call to the next. */
    private static void sixteen(MemorySegment w, long gs, int k, float[] x, int xo, float[] part) {
        FloatVector a0 = FloatVector.fromArray(F, part, 0);
        FloatVector a1 = FloatVector.fromArray(F, part, L);
        FloatVector a2 = FloatVector.fromArray(F, part, 2 * L);
        FloatVector a3 = FloatVector.fromArray(F, part, 3 * L);
        FloatVector s0 = scale(w, gs, k, 0);
        FloatVector s1 = scale(w, gs, k, 1);
        FloatVector s2 = scale(w, gs, k, 2);
        FloatVector s3 = scale(w, gs, k, 3);
        long q = gs + KPanels.Q6K_CODES + 16L * k * GROUP_ROWS;
        for (int e = 0; e < 16; e++, q += GROUP_ROWS) {
            FloatVector xv = FloatVector.broadcast(F, x[xo + e]);
            a0 = codes(w, q).mul(s0).fma(xv, a0);
            a1 = codes(w, q + L).mul(s1).fma(xv, a1);
            a2 = codes(w, q + 2L * L).mul(s2).fma(xv, a2);
            a3 = codes(w, q + 3L * L).mul(s3).fma(xv, a3);
        }
        a0.intoArray(part, 0);
        a1.intoArray(part, L);
        a2.intoArray(part, 2 * L);
        a3.intoArray(part, 3 * L);
    }

    /** d * scale_k of panel p's L rows: ggml's {@code d * sc[is]}. */
    private static FloatVector scale(MemorySegment w, long gs, int k, int p) {
        return FloatVector.fromMemorySegment(F, w, gs + 4L * p * L, LE)
                .mul(codes(w, gs + KPanels.Q6K_SC + (long) k * GROUP_ROWS + (long) p * L));
    }

    /** L int8 as floats. */
    private static FloatVector codes(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Columns c0 .. c0+{@link #CHUNK} of the group-super-block at {@code gs} as weights for
     * {@link PanelTiles#tile4x6F16}: dst [G][CHUNK][L].
     */
    static void panelChunk(MemorySegment w, long gs, int c0, float[] dst) {
        for (int p = 0; p < G; p++) {
            for (int k = c0 / 16; k < (c0 + CHUNK) / 16; k++) {
                FloatVector s = scale(w, gs, k, p);
                long q = gs + KPanels.Q6K_CODES + 16L * k * GROUP_ROWS + (long) p * L;
                int d = (p * CHUNK + 16 * k - c0) * L;
                for (int e = 0; e < 16; e++) {
                    codes(w, q + (long) e * GROUP_ROWS).mul(s).intoArray(dst, d + e * L);
                }
            }
        }
    }
}
