package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q5_K super-blocks, bit-compatible with ggml's {@code quantize_row_q5_K_ref} / {@code dequantize_row_q5_K}.
 *
 * <pre>
 * block (176 bytes): [ d f16 ][ dmin f16 ][ scales 12 ({@link KScales}) ][ qh 32 ][ qs 128 ]
 * 256 elements = 4 chunks c of 64, l = 0..31:
 *   low 4 bits : qs[32c + l] = q(64c + l) & 15 | (q(64c + 32 + l) & 15) << 4
 *   high bit   : bit 2c of qh[l] = q(64c + l) >> 4,  bit 2c+1 = q(64c + 32 + l) >> 4
 * element e: sub-block j = e / 32, value = (d * s_j) * q - (dmin * m_j)      (q in 0..31)
 * </pre>
 */
public final class Q5_KCodec {
    public static final int BLOCK = GgmlType.Q5_K.blockSize();
    public static final int BLOCK_BYTES = GgmlType.Q5_K.typeSize();
    public static final int SCALES = 4;
    /** Offset of the high bits. */
    public static final int QH = SCALES + KScales.BYTES;
    /** Offset of the low 4 bits. */
    public static final int QS = QH + BLOCK / 8;

    private Q5_KCodec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        ScaleMinQuantizer fit = new ScaleMinQuantizer(31, -0.5f, 15);
        byte[] codes = new byte[BLOCK];
        byte[] qh = new byte[BLOCK / 8];
        byte[] qs = new byte[BLOCK / 2];
        for (int b = 0; b < n / BLOCK; b++) {
            long at = dstOffset + (long) b * BLOCK_BYTES;
            fit.quantize(src, srcOffset + b * BLOCK, dst, at, codes);
            java.util.Arrays.fill(qh, (byte) 0);
            for (int c = 0; c < BLOCK / 64; c++) {
                for (int l = 0; l < 32; l++) {
                    int lo = codes[64 * c + l];
                    int hi = codes[64 * c + 32 + l];
                    qh[l] |= (byte) ((lo >> 4) << (2 * c) | (hi >> 4) << (2 * c + 1));
                    qs[32 * c + l] = (byte) ((lo & 0xF) | (hi & 0xF) << 4);
                }
            }
            MemorySegment.copy(qh, 0, dst, ValueLayout.JAVA_BYTE, at + QH, qh.length);
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
                    int h = src.get(ValueLayout.JAVA_BYTE, at + QH + l) >> (2 * c);
                    dst[y + 64 * c + l] = d1 * ((q & 0xF) + ((h & 1) << 4)) - m1;
                    dst[y + 64 * c + 32 + l] = d2 * ((q >> 4) + ((h & 2) << 3)) - m2;
                }
            }
        }
    }
}
