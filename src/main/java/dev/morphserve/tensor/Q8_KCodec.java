package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q8_K super-blocks, bit-compatible with ggml's {@code quantize_row_q8_K_ref} / {@code dequantize_row_q8_K}:
 * the format llama.cpp quantizes activations to before a dot product with K-quant weights.
 *
 * <pre>
 * block (292 bytes): [ d f32 ][ qs int8 x256 ][ bsums int16 x16 ]     bsums[i] = sum of qs[16i .. 16i+15]
 * encode: max = the x of largest |x| (first one wins), iscale = -127/max,
 *         q = min(127, nearest(iscale * x)), d = 1/iscale   (all zeros: d = 0, q = 0)
 * decode: x = d * q
 * </pre>
 *
 * Unlike the other types the scale is a full f32, and the sign of d follows max: q of the extreme is -127.
 */
public final class Q8_KCodec {
    public static final int BLOCK = GgmlType.Q8_K.blockSize();
    public static final int BLOCK_BYTES = GgmlType.Q8_K.typeSize();
    /** Offset of the codes. */
    public static final int QS = 4;
    /** Offset of the 16 block sums. */
    public static final int BSUMS = QS + BLOCK;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q8_KCodec() {}

    public static void encode(float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        byte[] q = new byte[BLOCK];
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOffset + b * BLOCK;
            long at = dstOffset + (long) b * BLOCK_BYTES;
            float max = KQuantSearch.signedAbsMax(src, x0, BLOCK);
            float amax = Math.abs(max);
            float d = 0;
            java.util.Arrays.fill(q, (byte) 0);
            if (amax != 0) {
                float iscale = -127f / max;
                for (int j = 0; j < BLOCK; j++) {
                    q[j] = (byte) Math.min(127, KQuantSearch.nearestInt(iscale * src[x0 + j]));
                }
                d = 1 / iscale;
            }
            dst.set(F32, at, d);
            MemorySegment.copy(q, 0, dst, ValueLayout.JAVA_BYTE, at + QS, BLOCK);
            for (int i = 0; i < BLOCK / 16; i++) {
                int sum = 0;
                for (int k = 0; k < 16; k++) {
                    sum += q[16 * i + k];
                }
                dst.set(TensorCodec.I16, at + BSUMS + 2L * i, (short) sum);
            }
        }
    }

    public static void decode(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            long at = srcOffset + (long) b * BLOCK_BYTES;
            float d = src.get(F32, at);
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + b * BLOCK + j] = d * src.get(ValueLayout.JAVA_BYTE, at + QS + j);
            }
        }
    }
}
