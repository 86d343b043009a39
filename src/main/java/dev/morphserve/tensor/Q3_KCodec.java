package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q3_K super-blocks, bit-compatible with ggml's {@code quantize_row_q3_K_ref} / {@code dequantize_row_q3_K}.
 *
 * <pre>
 * block (110 bytes): [ hmask 32 ][ qs 64 ][ scales 12 ][ d f16 ]
 * 256 elements = 2 halves n of 128, each 4 shifts j of 32, l = 0..31; element e = 128n + 32j + l:
 *   low 2 bits: (qs[32n + l] >> 2j) & 3          high bit: bit (4n + j) of hmask[l]
 *   value     = (d * (s_(e/16) - 32)) * (low - (high ? 0 : 4))
 * 16 scales s_i of 6 bits: low 4 bits in the nibbles of scales[0..7] (i < 8: low nibble of byte i,
 * else high nibble of byte i - 8), top 2 bits at bits 2(i/4) of scales[8 + i%4]
 * </pre>
 */
public final class Q3_KCodec {
    public static final int BLOCK = GgmlType.Q3_K.blockSize();
    public static final int BLOCK_BYTES = GgmlType.Q3_K.typeSize();
    /** Offset of the low 2 bits. */
    public static final int QS = BLOCK / 8;
    /** Offset of the packed 6-bit scales. */
    public static final int SCALES = QS + BLOCK / 4;
    /** Offset of the f16 super-block scale. */
    public static final int D = SCALES + 12;

    private static final int SUB = 16;

    private Q3_KCodec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        byte[] codes = new byte[BLOCK];
        byte[] out = new byte[BLOCK_BYTES];
        float[] scales = new float[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOffset + b * BLOCK;
            java.util.Arrays.fill(out, (byte) 0);
            for (int j = 0; j < BLOCK / SUB; j++) {
                scales[j] = KQuantSearch.q3Quants(SUB, 4, src, x0 + SUB * j, codes, SUB * j);
            }
            float maxScale = KQuantSearch.signedAbsMax(scales, 0, BLOCK / SUB);
            short dh = 0;
            if (maxScale != 0) {
                float iscale = -32f / maxScale;
                for (int j = 0; j < BLOCK / SUB; j++) {
                    // ggml keeps nearest_int in an int8_t before clamping
                    int l = Math.max(-32, Math.min(31, (byte) KQuantSearch.nearestInt(iscale * scales[j]))) + 32;
                    if (j < 8) {
                        out[SCALES + j] = (byte) (l & 0xF);
                    } else {
                        out[SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
                    }
                    out[SCALES + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
                }
                dh = Float.floatToFloat16(1 / iscale);
            }
            out[D] = (byte) dh;
            out[D + 1] = (byte) (dh >> 8);
            float d = Float.float16ToFloat(dh);
            for (int j = 0; j < BLOCK / SUB; j++) {
                float dj = d * (scale(MemorySegment.ofArray(out), SCALES, j) - 32);
                if (dj == 0f) {
                    continue;
                }
                for (int i = 0; i < SUB; i++) {
                    int l = KQuantSearch.nearestInt(src[x0 + SUB * j + i] / dj);
                    codes[SUB * j + i] = (byte) (Math.max(-4, Math.min(3, l)) + 4);
                }
            }
            for (int e = 0; e < BLOCK; e++) {
                int q = codes[e];
                int hbyte = e % 32;
                int hbit = e / 32;
                if (q > 3) {
                    out[hbyte] |= (byte) (1 << hbit);
                    q -= 4;
                }
                out[QS + 32 * (e / 128) + e % 32] |= (byte) (q << (2 * ((e % 128) / 32)));
            }
            MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, dstOffset + (long) b * BLOCK_BYTES, BLOCK_BYTES);
        }
    }

    /** The 6-bit scale (0..63, value s - 32) of sub-block {@code i} from the 12 packed bytes at {@code at}. */
    public static int scale(MemorySegment s, long at, int i) {
        int low = s.get(ValueLayout.JAVA_BYTE, at + (i % 8)) & 0xff;
        low = i < 8 ? low & 0xF : low >> 4;
        int high = (s.get(ValueLayout.JAVA_BYTE, at + 8 + i % 4) >> (2 * (i / 4))) & 3;
        return low | high << 4;
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long at = srcOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(TensorCodec.I16, at + D));
            int y = dstOffset + b * BLOCK;
            for (int i = 0; i < BLOCK / SUB; i++) {
                float dl = d * (scale(src, at + SCALES, i) - 32);
                for (int k = 0; k < SUB; k++) {
                    int e = SUB * i + k;
                    int shift = 2 * ((e % 128) / 32);
                    int low = (src.get(ValueLayout.JAVA_BYTE, at + QS + 32 * (e / 128) + e % 32) >> shift) & 3;
                    int high = (src.get(ValueLayout.JAVA_BYTE, at + e % 32) >> (4 * (e / 128) + shift / 2)) & 1;
                    dst[y + e] = dl * (low - (high != 0 ? 0 : 4));
                }
            }
        }
    }
}
