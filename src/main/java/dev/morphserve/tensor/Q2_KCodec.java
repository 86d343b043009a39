package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q2_K super-blocks, bit-compatible with ggml's {@code quantize_row_q2_K_ref} / {@code dequantize_row_q2_K}.
 *
 * <pre>
 * block (84 bytes): [ scales 16 ][ qs 64 ][ d f16 ][ dmin f16 ]
 * 256 elements = 2 halves n of 128, each 4 shifts j of 32, l = 0..31; element e = 128n + 32j + l:
 *   q = (qs[32n + l] >> 2j) & 3;  sub-block i = e / 16 with scale byte sc = scales[i]
 *   value = (d * (sc & 15)) * q - (dmin * (sc >> 4))
 * encode: per 16 elements make_qkx2_quants(nmax 3, weights |x|, mean absolute error) -> scale_i, min_i;
 *         4-bit s_i = nearest(15/max(scale) * scale_i), d = f16(max(scale)/15), likewise mins;
 *         q = clamp(nearest((x + f16(dmin)*m_i) / (f16(d)*s_i)), 0, 3)
 * </pre>
 */
public final class Q2_KCodec {
    public static final int BLOCK = GgmlType.Q2_K.blockSize();
    public static final int BLOCK_BYTES = GgmlType.Q2_K.typeSize();
    /** Offset of the 2-bit codes. */
    public static final int QS = BLOCK / 16;
    /** Offset of the f16 scale of the scales (dmin follows it). */
    public static final int D = QS + BLOCK / 4;

    private static final int SUB = 16;

    private Q2_KCodec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        byte[] codes = new byte[BLOCK];
        byte[] aux = new byte[SUB];
        byte[] out = new byte[BLOCK_BYTES];
        float[] weights = new float[SUB];
        float[] minOut = new float[1];
        float[] scales = new float[BLOCK / SUB];
        float[] mins = new float[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOffset + b * BLOCK;
            java.util.Arrays.fill(out, (byte) 0);
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < BLOCK / SUB; j++) {
                for (int l = 0; l < SUB; l++) {
                    weights[l] = Math.abs(src[x0 + SUB * j + l]);
                }
                scales[j] = KQuantSearch.qkx2Quants(SUB, 3, src, x0 + SUB * j, weights, codes, SUB * j, minOut, aux,
                        -0.5f, 0.1f, 15, true);
                mins[j] = minOut[0];
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            short dh = 0;
            if (maxScale > 0) {
                float iscale = 15f / maxScale;
                for (int j = 0; j < BLOCK / SUB; j++) {
                    out[j] = (byte) KQuantSearch.nearestInt(iscale * scales[j]);
                }
                dh = Float.floatToFloat16(maxScale / 15f);
            }
            short dminh = 0;
            if (maxMin > 0) {
                float iscale = 15f / maxMin;
                for (int j = 0; j < BLOCK / SUB; j++) {
                    out[j] |= (byte) (KQuantSearch.nearestInt(iscale * mins[j]) << 4);
                }
                dminh = Float.floatToFloat16(maxMin / 15f);
            }
            putHalf(out, D, dh);
            putHalf(out, D + 2, dminh);
            float d = Float.float16ToFloat(dh);
            float dmin = Float.float16ToFloat(dminh);
            for (int j = 0; j < BLOCK / SUB; j++) {
                float dj = d * (out[j] & 0xF);
                if (dj == 0f) {
                    continue;
                }
                float dm = dmin * ((out[j] & 0xff) >> 4);
                for (int i = 0; i < SUB; i++) {
                    int l = KQuantSearch.nearestInt((src[x0 + SUB * j + i] + dm) / dj);
                    codes[SUB * j + i] = (byte) Math.max(0, Math.min(3, l));
                }
            }
            for (int e = 0; e < BLOCK; e++) {
                out[QS + 32 * (e / 128) + e % 32] |= (byte) (codes[e] << (2 * ((e % 128) / 32)));
            }
            MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, dstOffset + (long) b * BLOCK_BYTES, BLOCK_BYTES);
        }
    }

    private static void putHalf(byte[] out, int at, short h) {
        out[at] = (byte) h;
        out[at + 1] = (byte) (h >> 8);
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long at = srcOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(TensorCodec.I16, at + D));
            float dmin = Float.float16ToFloat(src.get(TensorCodec.I16, at + D + 2));
            int y = dstOffset + b * BLOCK;
            for (int i = 0; i < BLOCK / SUB; i++) {
                int sc = src.get(ValueLayout.JAVA_BYTE, at + i) & 0xff;
                float dl = d * (sc & 0xF);
                float ml = dmin * (sc >> 4);
                for (int k = 0; k < SUB; k++) {
                    int e = SUB * i + k;
                    int q = (src.get(ValueLayout.JAVA_BYTE, at + QS + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
                    dst[y + e] = dl * q - ml;
                }
            }
        }
    }
}
