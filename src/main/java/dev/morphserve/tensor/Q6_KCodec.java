package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K super-blocks, bit-compatible with ggml's {@code quantize_row_q6_K_ref} / {@code dequantize_row_q6_K}.
 *
 * <pre>
 * block (210 bytes): [ ql 128 ][ qh 64 ][ scales int8 x16 ][ d f16 ]
 * 256 elements = 2 halves n of 128, each 4 quarters k of 32, l = 0..31; element e = 128n + 32k + l:
 *   low 4 bits : ql[64n + 32(k & 1) + l], low nibble for k < 2, high nibble for k >= 2
 *   high 2 bits: (qh[32n + l] >> 2k) & 3
 *   value = (d * scales[e / 16]) * (q - 32)                          (q in 0..63)
 * encode: per 16 elements make_qx_quants(nmax 32) -> scale_j; d = f16(max_j/-128) with max_j the
 *         scale of largest magnitude; scales[j] = min(127, nearest(-128/max_j * scale_j));
 *         q = clamp(nearest(x / (f16(d)*scales[j])), -32, 31) + 32
 * </pre>
 */
public final class Q6_KCodec {
    public static final int BLOCK = GgmlType.Q6_K.blockSize();
    public static final int BLOCK_BYTES = GgmlType.Q6_K.typeSize();
    /** Offset of the high 2 bits. */
    public static final int QH = BLOCK / 2;
    /** Offset of the int8 sub-block scales. */
    public static final int SCALES = QH + BLOCK / 4;
    /** Offset of the f16 super-block scale. */
    public static final int D = SCALES + BLOCK / 16;

    private static final int SUB = 16;

    private Q6_KCodec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        byte[] codes = new byte[BLOCK];
        byte[] out = new byte[BLOCK_BYTES];
        float[] scales = new float[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOffset + b * BLOCK;
            java.util.Arrays.fill(out, (byte) 0);
            for (int j = 0; j < BLOCK / SUB; j++) {
                scales[j] = KQuantSearch.qxQuants(SUB, 32, src, x0 + SUB * j, codes, SUB * j);
            }
            float maxScale = KQuantSearch.signedAbsMax(scales, 0, BLOCK / SUB);
            if (Math.abs(maxScale) >= KQuantSearch.GROUP_MAX_EPS) {
                float iscale = -128f / maxScale;
                short dh = Float.floatToFloat16(1 / iscale);
                float d = Float.float16ToFloat(dh);
                out[D] = (byte) dh;
                out[D + 1] = (byte) (dh >> 8);
                for (int j = 0; j < BLOCK / SUB; j++) {
                    out[SCALES + j] = (byte) Math.min(127, KQuantSearch.nearestInt(iscale * scales[j]));
                }
                for (int j = 0; j < BLOCK / SUB; j++) {
                    float dj = d * out[SCALES + j];
                    if (dj == 0f) {
                        continue;
                    }
                    for (int i = 0; i < SUB; i++) {
                        int q = KQuantSearch.nearestInt(src[x0 + SUB * j + i] / dj);
                        codes[SUB * j + i] = (byte) (Math.max(-32, Math.min(31, q)) + 32);
                    }
                }
                pack(codes, out);
            }
            MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, dstOffset + (long) b * BLOCK_BYTES, BLOCK_BYTES);
        }
    }

    private static void pack(byte[] codes, byte[] out) {
        for (int n = 0; n < 2; n++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * n + l;
                int q1 = codes[e];
                int q2 = codes[e + 32];
                int q3 = codes[e + 64];
                int q4 = codes[e + 96];
                out[64 * n + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                out[64 * n + 32 + l] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                out[QH + 32 * n + l] = (byte) ((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long at = srcOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(TensorCodec.I16, at + D));
            int y = dstOffset + b * BLOCK;
            for (int e = 0; e < BLOCK; e++) {
                dst[y + e] = d * src.get(ValueLayout.JAVA_BYTE, at + SCALES + e / SUB) * (code(src, at, e) - 32);
            }
        }
    }

    /** The 6-bit code (0..63) of element {@code e} of the block at {@code at}. */
    public static int code(MemorySegment src, long at, int e) {
        int n = e / 128;
        int k = (e % 128) / 32;
        int l = e % 32;
        int low = src.get(ValueLayout.JAVA_BYTE, at + 64 * n + 32 * (k & 1) + l) & 0xff;
        int high = src.get(ValueLayout.JAVA_BYTE, at + QH + 32 * n + l) >> (2 * k);
        return (k < 2 ? low & 0xF : low >> 4) | (high & 3) << 4;
    }
}
