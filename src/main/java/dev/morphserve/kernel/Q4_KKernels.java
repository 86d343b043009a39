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
 * <p>In {@link KPanels} layout, as llama.cpp's vec_dot_q4_K_q8_K: activations rounded to Q8_K (per 256 columns
 * a scale da and int8 codes qx), per row and 32-column sub-block k with d1 = d*s_k, m1 = dmin*m_k,
 *
 * <pre>
 *   sum_e (d1*q_e - m1) * da*qx_e = da*d1 * sum_e (q_e - 8)*qx_e  +  (8*d1 - m1) * da*sum_e qx_e
 * </pre>
 * the first term exactly Q4_0's integer product ({@link Q4Kernels} decode steps, {@link Q4Tiles} batches,
 * d1 as the block scale), the second {@link #offsets}.
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
     * The part of a Q4_K product that {@link Q4Kernels} / {@link Q4Tiles} leave out: they form
     * da * d1_k * sum_e (q_e - 8) * qx_e per sub-block (d1_k as the block scale, Q8_K codes qx, da the
     * super-block's activation scale), and the weight is d1_k * q - m1_k, so per (row, token) this adds
     * <pre>
     *   sum over sub-blocks k in order:  acc = fma(8 * d1_k - m1_k, bsum_k, acc)     bsum_k = da * sum_e qx_e
     * </pre>
     * to out[t][rows of group g] for every token: the same fmas in the same order whatever the batch.
     *
     * @param c   [4L] scratch: 8 * d1_k - m1_k of the group's rows
     * @param acc [numTokens][4L] scratch
     */
    static void offsets(MemorySegment w, int rows, int cols, int g, Q4Activations x, int numTokens, float[] out,
            float[] c, float[] acc) {
        int blocks = cols / 32;
        int supers = cols / QK;
        int subs = QK / 32;
        long main = (long) g * blocks * Q4Kernels.GROUP_BLOCK_BYTES;
        long mins = KPanels.q4kMinRegion(rows, cols) + (long) g * supers * KPanels.Q4K_MIN_BYTES;
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, rows - r0);
        float[] bsum = x.bsum;
        java.util.Arrays.fill(acc, 0, numTokens * GROUP_ROWS, 0f);
        for (int s = 0; s < supers; s++) {
            long ms = mins + s * KPanels.Q4K_MIN_BYTES;
            for (int k = 0; k < subs; k++) {
                int b = s * subs + k;
                coefficients(w, main + b * Q4Kernels.GROUP_BLOCK_BYTES, ms, k, c);
                for (int t = 0; t < numTokens; t++) {
                    offsetStep(c, bsum[t * blocks + b], acc, t * GROUP_ROWS);
                }
            }
        }
        for (int t = 0; t < numTokens; t++) {
            int o = t * rows + r0;
            for (int i = 0; i < rowsHere; i++) {
                out[o + i] += acc[t * GROUP_ROWS + i];
            }
        }
    }

    /** c = 8 * d1_k - dmin * m_k for the 4L rows of sub-block k (d1 from the main region's block gb). */
    private static void coefficients(MemorySegment w, long gb, long ms, int k, float[] c) {
        for (int p = 0; p < G; p++) {
            int r = p * L;
            FloatVector d1 = FloatVector.fromMemorySegment(F, w, gb + 4L * r, LE);
            FloatVector m1 = FloatVector.fromMemorySegment(F, w, ms + 4L * r, LE)
                    .mul(smallInts(w, ms + KPanels.Q4K_M + (long) k * GROUP_ROWS + r));
            d1.mul(8f).sub(m1).intoArray(c, r);
        }
    }

    /** acc[a ..] = fma(c, bs, acc) over 4L rows. */
    private static void offsetStep(float[] c, float bs, float[] acc, int a) {
        FloatVector bv = FloatVector.broadcast(F, bs);
        for (int r = 0; r < GROUP_ROWS; r += L) {
            FloatVector.fromArray(F, c, r).fma(bv, FloatVector.fromArray(F, acc, a + r)).intoArray(acc, a + r);
        }
    }

    /** L bytes of 0..63 as floats. */
    private static FloatVector smallInts(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }
}
