package dev.morphserve.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q4_0 blocks, bit-compatible with ggml's {@code quantize_row_q4_0_ref} / {@code dequantize_row_q4_0}.
 *
 * <pre>
 * block (18 bytes):  [ d : f16 ][ b0 b1 ... b15 : u8 ]
 *                     b_j = q_j | q_(j+16) << 4      (low nibbles: elements 0..15, high: 16..31)
 * encode: max = the signed x of largest |x| (first one wins), d = max / -8, id = d != 0 ? 1/d : 0,
 *         q = min(15, (int8)(x*id + 8.5f))            (truncation; x*id lies in [-8, 8])
 * decode: x = (q - 8) * f16(d)
 * </pre>
 *
 * Dividing by -8 maps the extreme value to q = 0 exactly, so the asymmetric range [-8, 7] spends
 * its extra code on the side of the largest magnitude.
 */
public final class Q4_0Codec {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 18;

    private Q4_0Codec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOffset + b * BLOCK;
            long off = dstOffset + (long) b * BLOCK_BYTES;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[x0 + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            dst.set(Q8_0Codec.F16, off, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = Math.min(15, (byte) (int) (src[x0 + j] * id + 8.5f));
                int hi = Math.min(15, (byte) (int) (src[x0 + BLOCK / 2 + j] * id + 8.5f));
                dst.set(ValueLayout.JAVA_BYTE, off + 2 + j, (byte) (lo | hi << 4));
            }
        }
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long off = srcOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(Q8_0Codec.F16, off));
            int y0 = dstOffset + b * BLOCK;
            for (int j = 0; j < BLOCK / 2; j++) {
                int packed = src.get(ValueLayout.JAVA_BYTE, off + 2 + j) & 0xff;
                dst[y0 + j] = ((packed & 0x0f) - 8) * d;
                dst[y0 + BLOCK / 2 + j] = ((packed >>> 4) - 8) * d;
            }
        }
    }
}
