package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;
import static dev.morphserve.kernel.WeightDequant.I16;

import dev.morphserve.tensor.KScales;
import dev.morphserve.tensor.Q4_KCodec;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K weights. In ggml layout ({@link Q4_KCodec}): decoded to floats for the float tiles, bit for bit as
 * ggml's {@code dequantize_row_q4_K}:
 *
 * <pre>
 * super-block: [d][dmin][scales 12][qs 128]; chunk c (64 elements) = 32 bytes qs[32c ..]:
 *   low nibbles  -> dst[64c + l]      = (d*s_2c)   * q - (dmin*m_2c)
 *   high nibbles -> dst[64c + 32 + l] = (d*s_2c+1) * q - (dmin*m_2c+1)
 * </pre>
 * (a multiply then a subtract, never an fma: ggml rounds the product first).
 *
 * <p>In {@link KPanels} layout, split as ggml's own dot products split it: per row and 32-column sub-block k
 * with d1 = d*s_k, m1 = dmin*m_k,
 *
 * <pre>
 *   sum_e (d1*q_e - m1) * x_e  =  d1 * a_k - m1 * xsum_k      a_k = sum_e q_e * x_e (fma chain, e = 0..31)
 *   acc  = fma(a_k, d1, acc)  over k in order          (PanelTiles' per-block fold)
 *   macc = fma(m1, xsum_k, macc) over k in order      (xsum_k: {@link KPanelKernels#subBlockSums})
 *   out  = acc - macc
 * </pre>
 * the decode step ({@link #panelStep}) straight from the codes, batches through {@link #panelChunk} and
 * {@link PanelTiles}: the same operations in the same order, so a token's result is the same in both.
 */
final class Q4_KKernels {
    static final int QK = Q4_KCodec.BLOCK;
    static final int BYTES = Q4_KCodec.BLOCK_BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q4_KKernels() {}

    /** Elements {@code k0 .. k0+n} (multiples of 256) of the row at {@code rowOff} to {@code dst[dstOff..]}. */
    static void dequant(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        long at = rowOff + (long) (k0 / QK) * BYTES;
        for (int y = dstOff; y < dstOff + n; y += QK, at += BYTES) {
            float d = Float.float16ToFloat(w.get(I16, at));
            float dmin = Float.float16ToFloat(w.get(I16, at + 2));
            for (int c = 0; c < QK / 64; c++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(w, at + Q4_KCodec.SCALES, 2 * c));
                FloatVector m1 = FloatVector.broadcast(F, dmin * KScales.min(w, at + Q4_KCodec.SCALES, 2 * c));
                FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(w, at + Q4_KCodec.SCALES, 2 * c + 1));
                FloatVector m2 = FloatVector.broadcast(F, dmin * KScales.min(w, at + Q4_KCodec.SCALES, 2 * c + 1));
                long qs = at + Q4_KCodec.QS + 32 * c;
                int yc = y + 64 * c;
                for (int l = 0; l < 32; l += L) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, w, qs + l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    ((FloatVector) q.and(0xF).convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(dst, yc + l);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(d2).sub(m2)
                            .intoArray(dst, yc + 32 + l);
                }
            }
        }
    }

    /** The scalar reference of {@link #dequant}: ggml's dequantization through the codec. */
    static void dequantScalar(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff) {
        Q4_KCodec.decode(w, rowOff + (long) (k0 / QK) * BYTES, dst, dstOff, n);
    }

    // ---------------------------------------------------------------- KPanels layout

    /**
     * One token times one group (4L rows) of {@link KPanels} data starting at {@code at}.
     *
     * @param xsum [cols/32] the token's sub-block sums
     * @param res  [3 * 4L] out: acc (rows 0..4L) then macc; the rows' results are acc - macc; then a_k scratch
     */
    static void panelStep(MemorySegment w, long at, int supers, float[] x, float[] xsum, float[] res) {
        java.util.Arrays.fill(res, 0, 2 * GROUP_ROWS, 0f);
        long bytes = KPanels.superBytes(dev.morphserve.gguf.GgmlType.Q4_K);
        for (int s = 0; s < supers; s++, at += bytes) {
            for (int k = 0; k < QK / 32; k++) {
                subBlock(w, at, k, x, s * QK + 32 * k, res);
                fold(w, at, k, xsum[s * QK / 32 + k], res);
            }
        }
    }

    /**
     * a_k of 4 panels to res[2*4L ..] in one loop: accumulators carried across a nested loop were reboxed by
     * C2, and the folds inlined here too pushed it past its node budget (10x slower); both stay outside.
     */
    private static void subBlock(MemorySegment w, long gs, int k, float[] x, int xo, float[] res) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        long q = gs + KPanels.Q4K_CODES + 16L * k * GROUP_ROWS;
        for (int j = 0; j < 16; j++, q += GROUP_ROWS) {
            FloatVector x0 = FloatVector.broadcast(F, x[xo + 2 * j]);
            FloatVector x1 = FloatVector.broadcast(F, x[xo + 2 * j + 1]);
            IntVector v0 = codes(w, q);
            IntVector v1 = codes(w, q + L);
            IntVector v2 = codes(w, q + 2L * L);
            IntVector v3 = codes(w, q + 3L * L);
            a0 = lo(v0).fma(x0, a0);
            a1 = lo(v1).fma(x0, a1);
            a2 = lo(v2).fma(x0, a2);
            a3 = lo(v3).fma(x0, a3);
            a0 = hi(v0).fma(x1, a0);
            a1 = hi(v1).fma(x1, a1);
            a2 = hi(v2).fma(x1, a2);
            a3 = hi(v3).fma(x1, a3);
        }
        int a = 2 * GROUP_ROWS;
        a0.intoArray(res, a);
        a1.intoArray(res, a + L);
        a2.intoArray(res, a + 2 * L);
        a3.intoArray(res, a + 3 * L);
    }

    /** acc = fma(a_k, d1, acc), macc = fma(m1, xsum_k, macc) for the 4 panels of sub-block k. */
    private static void fold(MemorySegment w, long gs, int k, float xs, float[] res) {
        FloatVector xv = FloatVector.broadcast(F, xs);
        for (int p = 0; p < G; p++) {
            int r = p * L;
            FloatVector.fromArray(F, res, 2 * GROUP_ROWS + r).fma(d1(w, gs, k, p), FloatVector.fromArray(F, res, r))
                    .intoArray(res, r);
            m1(w, gs, k, p).fma(xv, FloatVector.fromArray(F, res, GROUP_ROWS + r)).intoArray(res, GROUP_ROWS + r);
        }
    }

    /** d * s_k of panel p's L rows: ggml's d1, the same float product. */
    static FloatVector d1(MemorySegment w, long gs, int k, int p) {
        return FloatVector.fromMemorySegment(F, w, gs + 4L * p * L, LE)
                .mul(smallInts(w, gs + KPanels.Q4K_SC + (long) k * GROUP_ROWS + (long) p * L));
    }

    /** dmin * m_k of panel p's L rows: ggml's m1. */
    static FloatVector m1(MemorySegment w, long gs, int k, int p) {
        return FloatVector.fromMemorySegment(F, w, gs + KPanels.Q4K_DMIN + 4L * p * L, LE)
                .mul(smallInts(w, gs + KPanels.Q4K_M + (long) k * GROUP_ROWS + (long) p * L));
    }

    /** L bytes of 0..63 as floats. */
    private static FloatVector smallInts(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Sub-blocks k0 .. k0+nb of the group-super-block at {@code gs} for {@link PanelTiles#tile4x6}: codes as
     * floats to dst [nb][G][32][L], d1 to sc [nb][G][L].
     */
    static void panelChunk(MemorySegment w, long gs, int k0, int nb, float[] dst, float[] sc) {
        for (int bi = 0; bi < nb; bi++) {
            int k = k0 + bi;
            long q = gs + KPanels.Q4K_CODES + 16L * k * GROUP_ROWS;
            for (int p = 0; p < G; p++) {
                d1(w, gs, k, p).intoArray(sc, (bi * G + p) * L);
                int d = (bi * G + p) * 32 * L;
                for (int j = 0; j < 16; j++) {
                    IntVector v = codes(w, q + (long) j * GROUP_ROWS + (long) p * L);
                    lo(v).intoArray(dst, d + 2 * j * L);
                    hi(v).intoArray(dst, d + (2 * j + 1) * L);
                }
            }
        }
    }

    private static IntVector codes(MemorySegment w, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    private static FloatVector lo(IntVector v) {
        return (FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector hi(IntVector v) {
        return (FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
    }
}
