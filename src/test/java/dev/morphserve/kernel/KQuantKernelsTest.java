package dev.morphserve.kernel;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.TensorCodec;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each K-quant's vector dequantization against its scalar reference (ggml's dequantize_row through the
 * codec), bit for bit, over random blocks, random k-chunks of a row and random destination offsets.
 * Besides encoder output, raw random bytes are decoded too: every bit pattern a file can hold (any
 * scale, any code, f16 subnormals, inf and NaN) must decode the same way (NaNs compared as NaN).
 */
class KQuantKernelsTest {
    private static final int QK = GgmlType.Q4_K.blockSize();

    @FunctionalInterface
    interface Dequant {
        void run(MemorySegment w, long rowOff, int k0, int n, float[] dst, int dstOff);
    }

    private static Dequant vector(GgmlType type) {
        return switch (type) {
            case Q2_K -> Q2_KKernels::dequant;
            case Q3_K -> Q3_KKernels::dequant;
            case Q4_K -> Q4_KKernels::dequant;
            case Q5_K -> Q5_KKernels::dequant;
            case Q6_K -> Q6_KKernels::dequant;
            case Q8_K -> Q8_KKernels::dequant;
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    private static Dequant scalar(GgmlType type) {
        return switch (type) {
            case Q2_K -> Q2_KKernels::dequantScalar;
            case Q3_K -> Q3_KKernels::dequantScalar;
            case Q4_K -> Q4_KKernels::dequantScalar;
            case Q5_K -> Q5_KKernels::dequantScalar;
            case Q6_K -> Q6_KKernels::dequantScalar;
            case Q8_K -> Q8_KKernels::dequantScalar;
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void vectorDequant_equalsScalarReference_bitForBit(GgmlType type) {
        Random rnd = new Random(type.id() * 7919L);
        int blocks = 12;
        int cols = blocks * QK;
        long rowBytes = type.bytesFor(cols);
        byte[] raw = new byte[(int) (3 * rowBytes)]; // [3 rows][rowBytes]: encoded, encoded, random bytes
        MemorySegment w = MemorySegment.ofArray(raw);
        float[] x = new float[cols];
        for (int r = 0; r < 2; r++) {
            for (int i = 0; i < cols; i++) {
                x[i] = rnd.nextInt(40) == 0 ? 0f : (float) (rnd.nextGaussian() * (r == 0 ? 1 : 1e-5));
            }
            TensorCodec.encode(type, x, 0, cols, w, r * rowBytes);
        }
        for (int i = (int) (2 * rowBytes); i < raw.length; i++) {
            raw[i] = (byte) rnd.nextInt(256);
        }
        if (type == GgmlType.Q8_K) {
            // a random f32 scale may be NaN or inf; any finite one will do
            for (int b = 0; b < blocks; b++) {
                w.set(WeightDequant.F32, 2 * rowBytes + b * rowBytes / blocks, (float) rnd.nextGaussian());
            }
        }
        Dequant v = vector(type);
        Dequant s = scalar(type);
        for (int trial = 0; trial < 60; trial++) {
            int row = trial % 3;
            int k0 = QK * rnd.nextInt(blocks);
            int n = QK * (1 + rnd.nextInt(blocks - k0 / QK));
            int dstOff = rnd.nextInt(40);
            float[] want = new float[dstOff + n + 8];
            float[] got = new float[dstOff + n + 8];
            s.run(w, row * rowBytes, k0, n, want, dstOff);
            v.run(w, row * rowBytes, k0, n, got, dstOff);
            for (int i = 0; i < want.length; i++) {
                if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                    throw new AssertionError(type + " row " + row + " k0 " + k0 + " n " + n + ": element " + (i - dstOff)
                            + " vector " + got[i] + " scalar " + want[i]);
                }
            }
        }
    }
}
