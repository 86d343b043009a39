package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * The part that Q4_K and Q5_K share in ggml's reference quantizers ({@code quantize_row_q4_K_ref},
 * {@code quantize_row_q5_K_ref}): one super-block of 256 elements in 8 sub-blocks of 32, each fitted as
 * {@code x ~ d*s_j*q - dmin*m_j} with 6-bit s_j, m_j and f16 d, dmin.
 *
 * <pre>
 * per sub-block j: weights = sqrt(mean(x^2)) + |x|, make_qkx2_quants -> scale_j, min_j
 * s_j = min(63, nearest(63/max(scale) * scale_j))    d    = f16(max(scale)/63)
 * m_j = min(63, nearest(63/max(min) * min_j))        dmin = f16(max(min)/63)
 * q   = clamp(nearest((x + f16(dmin)*m_j) / (f16(d)*s_j)), 0, nmax)   (sub-blocks with d*s_j = 0 keep the fit's codes)
 * </pre>
 */
final class ScaleMinQuantizer {
    static final int QK = GgmlType.Q4_K.blockSize();
    static final int SUB = QK / KScales.SUB_BLOCKS;

    private final int nmax;
    private final float rmin;
    private final int nstep;
    private final float[] weights = new float[SUB];
    private final byte[] aux = new byte[SUB];
    private final float[] minOut = new float[1];
    private final float[] scales = new float[KScales.SUB_BLOCKS];
    private final float[] mins = new float[KScales.SUB_BLOCKS];
    private final int[] ls = new int[KScales.SUB_BLOCKS];
    private final int[] lm = new int[KScales.SUB_BLOCKS];

    /** Q4_K: nmax 15, rmin -1, 20 steps; Q5_K: nmax 31, rmin -0.5, 15 steps (rdelta 0.1 for both). */
    ScaleMinQuantizer(int nmax, float rmin, int nstep) {
        this.nmax = nmax;
        this.rmin = rmin;
        this.nstep = nstep;
    }

    /**
     * Fits the super-block at {@code x[xOff..xOff+256)}: writes d, dmin (bytes 0..3) and the packed scales
     * (bytes 4..15) at {@code dst[at..]} and the codes (0..nmax) to {@code codes[0..256)}.
     */
    void quantize(float[] x, int xOff, MemorySegment dst, long at, byte[] codes) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < KScales.SUB_BLOCKS; j++) {
            int x0 = xOff + SUB * j;
            float sumX2 = 0;
            for (int l = 0; l < SUB; l++) {
                sumX2 += x[x0 + l] * x[x0 + l];
            }
            float avX = (float) Math.sqrt(sumX2 / SUB);
            for (int l = 0; l < SUB; l++) {
                weights[l] = avX + Math.abs(x[x0 + l]);
            }
            scales[j] = KQuantSearch.qkx2Quants(SUB, nmax, x, x0, weights, codes, SUB * j, minOut, aux, rmin, 0.1f,
                    nstep, false);
            mins[j] = minOut[0];
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < KScales.SUB_BLOCKS; j++) {
            // ggml stores nearest_int into a uint8_t before clamping: a negative result wraps, then clamps to 63
            ls[j] = Math.min(63, KQuantSearch.nearestInt(invScale * scales[j]) & 0xff);
            lm[j] = Math.min(63, KQuantSearch.nearestInt(invMin * mins[j]) & 0xff);
        }
        KScales.pack(ls, lm, dst, at + 4);
        short d = Float.floatToFloat16(maxScale / 63f);
        short dmin = Float.floatToFloat16(maxMin / 63f);
        dst.set(TensorCodec.I16, at, d);
        dst.set(TensorCodec.I16, at + 2, dmin);
        float df = Float.float16ToFloat(d);
        float dminf = Float.float16ToFloat(dmin);
        for (int j = 0; j < KScales.SUB_BLOCKS; j++) {
            float dj = df * KScales.scale(dst, at + 4, j);
            if (dj == 0f) {
                continue;
            }
            float dm = dminf * KScales.min(dst, at + 4, j);
            for (int i = 0; i < SUB; i++) {
                int q = KQuantSearch.nearestInt((x[xOff + SUB * j + i] + dm) / dj);
                codes[SUB * j + i] = (byte) Math.max(0, Math.min(nmax, q));
            }
        }
    }
}
