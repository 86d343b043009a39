package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_K super-blocks, bit-compatible with ggml's {@code quantize_row_q4_K_ref} / {@code dequantize_row_q4_K}.
 *
 * <pre>
 * block (144 bytes): [ d f16 ][ dmin f16 ][ scales 12 bytes ({@link KScales}) ][ qs 128 bytes ]
 * 256 elements = 4 chunks c of 64; byte qs[32c + l] = q(64c + l) | q(64c + 32 + l) << 4
 * element e: sub-block j = e / 32, value = (d * s_j) * q - (dmin * m_j)      (q in 0..15)
 * </pre>
 *
 * The float order is ggml's: {@code d1 = d*s}, {@code m1 = dmin*m}, then {@code d1*q - m1}, two
 * roundings (no fma). Encoding: see {@link ScaleMinQuantizer}.
 */
public final class Q4_KCodec {
    public static final int BLOCK = GgmlType.Q4_K.blockSize();
    public static final int BLOCK_BYTES = GgmlType.Q4_K.typeSize();
    /** Offset of the packed scales in a block. */
    public static final int SCALES = 4;
    /** Offset of the 4-bit codes in a block. */
    public static final int QS = SCALES + KScales.BYTES;

    private Q4_KCodec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        ScaleMinQuantizer fit = new ScaleMinQuantizer(15, -1f, 20);
        byte[] codes = new byte[BLOCK];
        byte[] qs = new byte[BLOCK / 2];
        for (int b = 0; b < n / BLOCK; b++) {
            long at = dstOffset + (long) b * BLOCK_BYTES;
            fit.quantize(src, srcOffset + b * BLOCK, dst, at, codes);
            for (int c = 0; c < BLOCK / 64; c++) {
                for (int l = 0; l < 32; l++) {
                    qs[32 * c + l] = (byte) (codes[64 * c + l] | codes[64 * c + 32 + l] << 4);
                }
            }
            MemorySegment.copy(qs, 0, dst, ValueLayout.JAVA_BYTE, at + QS, qs.length);
        }
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long at = srcOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(TensorCodec.I16, at));
            float dmin = Float.float16ToFloat(src.get(TensorCodec.I16, at + 2));
            int y = dstOffset + b * BLOCK;
            for (int c = 0; c < BLOCK / 64; c++) {
                float d1 = d * KScales.scale(src, at + SCALES, 2 * c);
                float m1 = dmin * KScales.min(src, at + SCALES, 2 * c);
                float d2 = d * KScales.scale(src, at + SCALES, 2 * c + 1);
                float m2 = dmin * KScales.min(src, at + SCALES, 2 * c + 1);
                for (int l = 0; l < 32; l++) {
                    int q = src.get(ValueLayout.JAVA_BYTE, at + QS + 32 * c + l) & 0xff;
                    dst[y + 64 * c + l] = d1 * (q & 0xF) - m1;
                    dst[y + 64 * c + 32 + l] = d2 * (q >> 4) - m2;
                }
            }
        }
    }
}
