package dev.morphserve.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0 blocks, bit-compatible with ggml's {@code quantize_row_q8_0_ref} / {@code dequantize_row_q8_0}.
 *
 * <pre>
 * block (34 bytes):  [ d : f16 ][ q0 q1 ... q31 : int8 ]
 * encode: amax = max|x|, d = amax/127, id = d != 0 ? 1/d : 0, q = roundf(x*id)  (ties away from 0)
 * decode: x = q * f16(d)
 * </pre>
 *
 * Note that q is computed with the unrounded float d while the block stores d rounded to f16,
 * exactly as ggml does.
 */
public final class Q8_0Codec {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 34;

    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q8_0Codec() {}

    /**
     * Quantizes one block of 32 floats from {@code src[srcOffset..]} into {@code q[qOffset..]} and
     * returns the block scale as f16 bits. Shared by the weight encoder and the activation quantizer
     * of the kernels so that both round identically.
     */
    public static short quantizeBlock(float[] src, int srcOffset, byte[] q, int qOffset) {
        float amax = 0f;
        for (int j = 0; j < BLOCK; j++) {
            amax = Math.max(amax, Math.abs(src[srcOffset + j]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        for (int j = 0; j < BLOCK; j++) {
            q[qOffset + j] = (byte) roundAwayFromZero(src[srcOffset + j] * id);
        }
        return Float.floatToFloat16(d);
    }

    /** C's {@code roundf}: half-way cases away from zero (Math.round would send -2.5 to -2). */
    static int roundAwayFromZero(float v) {
        // the double sum is exact for any float of this range, so 0.49999997f does not round up
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (int) Math.copySign(r, v);
    }

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        byte[] q = new byte[BLOCK];
        for (int b = 0; b < n / BLOCK; b++) {
            long off = dstOffset + (long) b * BLOCK_BYTES;
            short d = quantizeBlock(src, srcOffset + b * BLOCK, q, 0);
            dst.set(F16, off, d);
            MemorySegment.copy(q, 0, dst, ValueLayout.JAVA_BYTE, off + 2, BLOCK);
        }
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long off = srcOffset + (long) b * BLOCK_BYTES;
            float d = Float.float16ToFloat(src.get(F16, off));
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + b * BLOCK + j] = src.get(ValueLayout.JAVA_BYTE, off + 2 + j) * d;
            }
        }
    }
}
