package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encodes floats into ggml element types and decodes them back, bit-compatible with ggml's reference
 * quantizers (K-quants included: {@code quantize_row_q*_K_ref}, as llama-quantize runs them without an
 * importance matrix). Scalar and simple on purpose: it is the ground truth for the kernels and the tool for
 * conversions at load time, not a hot path.
 */
public final class TensorCodec {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorCodec() {}

    /** Encodes {@code n} elements ({@code n % type.blockSize() == 0}) of {@code src[srcOffset..]} at {@code dst[dstOffset..]}. */
    public static void encode(GgmlType type, float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        checkBlocks(type, n);
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOffset, dst, F32, dstOffset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    // floatToFloat16 rounds to nearest even, as GGML_FP32_TO_FP16 (F16C) does
                    dst.set(I16, dstOffset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(I16, dstOffset + 2L * i, Bf16.fromFloat(src[srcOffset + i]));
                }
            }
            case Q8_0 -> Q8_0Codec.encode(src, srcOffset, n, dst, dstOffset);
            case Q4_0 -> Q4_0Codec.encode(src, srcOffset, n, dst, dstOffset);
            case Q2_K -> Q2_KCodec.encode(src, srcOffset, n, dst, dstOffset);
            case Q3_K -> Q3_KCodec.encode(src, srcOffset, n, dst, dstOffset);
            case Q4_K -> Q4_KCodec.encode(src, srcOffset, n, dst, dstOffset);
            case Q5_K -> Q5_KCodec.encode(src, srcOffset, n, dst, dstOffset);
            case Q6_K -> Q6_KCodec.encode(src, srcOffset, n, dst, dstOffset);
            case Q8_K -> Q8_KCodec.encode(src, srcOffset, n, dst, dstOffset);
            default -> throw unsupported(type);
        }
    }

    /** Decodes {@code n} elements at {@code src[srcOffset..]} into {@code dst[dstOffset..]}. */
    public static void decode(GgmlType type, MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        checkBlocks(type, n);
        switch (type) {
            case F32 -> MemorySegment.copy(src, F32, srcOffset, dst, dstOffset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Float.float16ToFloat(src.get(I16, srcOffset + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Bf16.toFloat(src.get(I16, srcOffset + 2L * i));
                }
            }
            case Q8_0 -> Q8_0Codec.decode(src, srcOffset, dst, dstOffset, n);
            case Q4_0 -> Q4_0Codec.decode(src, srcOffset, dst, dstOffset, n);
            case Q2_K -> Q2_KCodec.decode(src, srcOffset, dst, dstOffset, n);
            case Q3_K -> Q3_KCodec.decode(src, srcOffset, dst, dstOffset, n);
            case Q4_K -> Q4_KCodec.decode(src, srcOffset, dst, dstOffset, n);
            case Q5_K -> Q5_KCodec.decode(src, srcOffset, dst, dstOffset, n);
            case Q6_K -> Q6_KCodec.decode(src, srcOffset, dst, dstOffset, n);
            case Q8_K -> Q8_KCodec.decode(src, srcOffset, dst, dstOffset, n);
            default -> throw unsupported(type);
        }
    }

    /** Decodes row {@code row} of {@code t} (cols floats) into {@code dst[dstOffset..]}, e.g. an embedding lookup. */
    public static void decodeRow(Tensor t, int row, float[] dst, int dstOffset) {
        if (row < 0 || row >= t.rows()) {
            throw new IndexOutOfBoundsException(t.name() + ": row " + row + " outside 0.." + (t.rows() - 1));
        }
        requireGgml(t);
        decode(t.type(), t.data(), row * t.rowBytes(), dst, dstOffset, t.cols());
    }

    /** Fails unless {@code t} is in ggml layout (a kernel's repacked copy cannot be read by row). */
    public static void requireGgml(Tensor t) {
        if (t.layout() != TensorLayout.GGML) {
            throw new IllegalArgumentException(t.name() + ": layout " + t.layout() + " is private to the kernel that"
                    + " prepared it; row access needs " + TensorLayout.GGML);
        }
    }

    /** Whether this codec can read and write {@code type}. */
    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> true;
            default -> false;
        };
    }

    private static void checkBlocks(GgmlType type, int n) {
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException(
                    type + " needs a multiple of " + type.blockSize() + " elements, got " + n);
        }
    }

    static UnsupportedOperationException unsupported(GgmlType type) {
        return new UnsupportedOperationException("no codec for tensor type " + type + " (supported: "
                + String.join(", ", java.util.Arrays.stream(GgmlType.values()).filter(TensorCodec::supports).map(Enum::name).toList())
                + ")");
    }
}
