package dev.morphserve.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * F16 / BF16 against independent re-implementations of ggml's scalar reference
 * (ggml-impl.h: {@code ggml_compute_fp16_to_fp32}, {@code ggml_compute_fp32_to_fp16} from the FP16
 * library, and {@code ggml_compute_fp32_to_bf16}). Every 16-bit pattern is decoded; encoding covers
 * every float at a stride plus, for every half / bf16 value, the exact tie points and their
 * neighbours, which is where rounding can go wrong.
 */
class HalfFloatTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // ---- ggml's FP16 reference, transcribed from its bit-level algorithm ----
    static float refF16ToF32(int h) {
        int w = h << 16;
        int sign = w & 0x80000000;
        int twoW = w + w;
        float normalized = Float.intBitsToFloat((twoW >>> 4) + (0xE0 << 23)) * Float.intBitsToFloat(0x7800000);
        float denormalized = Float.intBitsToFloat((twoW >>> 17) | (126 << 23)) - 0.5f;
        int result = sign
                | (Integer.compareUnsigned(twoW, 1 << 27) < 0
                        ? Float.floatToRawIntBits(denormalized)
                        : Float.floatToRawIntBits(normalized));
        return Float.intBitsToFloat(result);
    }

    static short refF32ToF16(float f) {
        float scaleToInf = Float.intBitsToFloat(0x77800000);
        float scaleToZero = Float.intBitsToFloat(0x08800000);
        float base = (Math.abs(f) * scaleToInf) * scaleToZero;
        int w = Float.floatToRawIntBits(f);
        int shl1W = w + w;
        int sign = w & 0x80000000;
        int bias = shl1W & 0xFF000000;
        if (Integer.compareUnsigned(bias, 0x71000000) < 0) {
            bias = 0x71000000;
        }
        base = Float.intBitsToFloat((bias >>> 1) + 0x07800000) + base;
        int bits = Float.floatToRawIntBits(base);
        int expBits = (bits >>> 13) & 0x00007C00;
        int mantissaBits = bits & 0x00000FFF;
        int nonsign = expBits + mantissaBits;
        return (short) ((sign >>> 16) | (Integer.compareUnsigned(shl1W, 0xFF000000) > 0 ? 0x7E00 : nonsign));
    }

    // ---- bf16: pick the nearer of the two truncation neighbours, ties to even (no bit tricks) ----
    static short refF32ToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int down = bits >>> 16;
        int up = down + 1;
        double exact = f;
        double dDown = Math.abs(exact - Float.intBitsToFloat(down << 16));
        // `up` may step into the exponent of Inf: that is what ggml produces for values that round past MAX
        double dUp = Math.abs(Float.intBitsToFloat(up << 16) - exact);
        if ((down & 0x7fff) == 0x7f7f && (bits & 0xffff) >= 0x8000) {
            return (short) up; // overflow to infinity (rounding carries into the exponent)
        }
        if (dDown < dUp) {
            return (short) down;
        }
        if (dUp < dDown) {
            return (short) up;
        }
        return (short) ((down & 1) == 0 ? down : up);
    }

    private static void checkF16(float f) {
        short got = encodeOne(GgmlType.F16, f);
        if (Float.isNaN(f)) {
            assertThat(Float.isNaN(Float.float16ToFloat(got))).isTrue();
            return;
        }
        short want = refF32ToF16(f);
        if (got != want) {
            throw new AssertionError("f16(" + f + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + "): got 0x"
                    + Integer.toHexString(got & 0xffff) + ", ggml 0x" + Integer.toHexString(want & 0xffff));
        }
    }

    private static void checkBf16(float f) {
        short got = Bf16.fromFloat(f);
        short want = refF32ToBf16(f);
        if (got != want) {
            throw new AssertionError("bf16(0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + "): got 0x"
                    + Integer.toHexString(got & 0xffff) + ", reference 0x" + Integer.toHexString(want & 0xffff));
        }
    }

    private static short encodeOne(GgmlType type, float f) {
        MemorySegment seg = MemorySegment.ofArray(new byte[2]);
        TensorCodec.encode(type, new float[] {f}, 0, 1, seg, 0);
        return seg.get(I16, 0);
    }

    private static float decodeOne(GgmlType type, short bits) {
        MemorySegment seg = MemorySegment.ofArray(new byte[2]);
        seg.set(I16, 0, bits);
        float[] out = new float[1];
        TensorCodec.decode(type, seg, 0, out, 0, 1);
        return out[0];
    }

    interface Check {
        void accept(float f, short encoded);
    }

    /** Encodes every float whose bit pattern is a multiple of 251 (17M of them) in bulk through the codec. */
    private static void stridedBulk(GgmlType type, Check check) {
        float[] batch = new float[1 << 16];
        MemorySegment seg = MemorySegment.ofArray(new byte[2 * batch.length]);
        long b = 0;
        while (b <= 0xFFFFFFFFL) {
            int n = 0;
            for (; n < batch.length && b <= 0xFFFFFFFFL; n++, b += 251) {
                batch[n] = Float.intBitsToFloat((int) b);
            }
            TensorCodec.encode(type, batch, 0, n, seg, 0);
            for (int i = 0; i < n; i++) {
                check.accept(batch[i], seg.get(I16, 2L * i));
            }
        }
    }

    @Test
    void f16_decode_everyPattern() {
        for (int h = 0; h < 65536; h++) {
            float got = decodeOne(GgmlType.F16, (short) h);
            float want = refF16ToF32(h);
            if (Float.isNaN(want)) {
                assertThat(got).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(got)).as("f16 0x%04x", h).isEqualTo(Float.floatToRawIntBits(want));
            }
        }
    }

    @Test
    void f16_encode_tiesAndNeighboursOfEveryHalf_andStridedFloats() {
        for (int h = 0; h < 65536; h++) {
            int bits = Float.floatToRawIntBits(refF16ToF32(h));
            float next = refF16ToF32(h + 1);
            if (!Float.isFinite(Float.intBitsToFloat(bits))) {
                continue;
            }
            // midpoint between h and the next half of larger magnitude, computed in double: exact
            double mid = ((double) Float.intBitsToFloat(bits) + next) / 2;
            float m = (float) mid;
            for (float f : new float[] {
                Float.intBitsToFloat(bits), m, Math.nextUp(m), Math.nextDown(m), Float.intBitsToFloat(bits + 1)
            }) {
                checkF16(f);
            }
        }
        stridedBulk(GgmlType.F16, (f, got) -> {
            if (Float.isNaN(f)) {
                assertThat(Float.float16ToFloat(got)).isNaN();
            } else if (got != refF32ToF16(f)) {
                checkF16(f);
            }
        });
    }

    @Test
    void bf16_decode_everyPattern() {
        for (int h = 0; h < 65536; h++) {
            float got = decodeOne(GgmlType.BF16, (short) h);
            assertThat(Float.floatToRawIntBits(got)).isEqualTo(h << 16);
        }
    }

    @Test
    void bf16_encode_tiesAndNeighboursOfEveryPattern_andStridedFloats() {
        for (int h = 0; h < 65536; h++) {
            int base = h << 16;
            for (int low : new int[] {0, 1, 0x7fff, 0x8000, 0x8001, 0xffff}) {
                checkBf16(Float.intBitsToFloat(base | low));
            }
        }
        stridedBulk(GgmlType.BF16, (f, got) -> {
            if (got != refF32ToBf16(f)) {
                checkBf16(f);
            }
        });
        // NaN stays NaN even when only low mantissa bits are set (plain truncation would give Inf)
        assertThat(Bf16.toFloat(Bf16.fromFloat(Float.intBitsToFloat(0x7f800001)))).isNaN();
    }
}
