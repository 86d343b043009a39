package dev.morphserve.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Golden bytes for Q8_0 / Q4_0 blocks whose expected encodings were worked out by hand. */
class QuantGoldenTest {

    private static byte[] encode(GgmlType type, float[] x) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(type.bytesFor(x.length));
            TensorCodec.encode(type, x, 0, x.length, seg, 0);
            return seg.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static float[] decode(GgmlType type, byte[] bytes, int n) {
        float[] out = new float[n];
        TensorCodec.decode(type, MemorySegment.ofArray(bytes), 0, out, 0, n);
        return out;
    }

    private static byte[] block(int dLo, int dHi, int[] payload) {
        byte[] b = new byte[2 + payload.length];
        b[0] = (byte) dLo;
        b[1] = (byte) dHi;
        for (int i = 0; i < payload.length; i++) {
            b[2 + i] = (byte) payload[i];
        }
        return b;
    }

    @Test
    void q8_0_amax127_givesUnitScale_andRoundsTiesAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f; // tie -> 3
        x[2] = -2.5f; // tie -> -3 (Math.round would give -2)
        x[3] = 0.5f; // -> 1
        x[4] = -0.5f; // -> -1
        x[5] = 0.49999997f; // just below the tie -> 0
        x[6] = 1.49f; // -> 1
        x[7] = -126.6f; // -> -127
        int[] q = new int[32];
        q[0] = 127; q[1] = 3; q[2] = -3; q[3] = 1; q[4] = -1; q[5] = 0; q[6] = 1; q[7] = -127;
        byte[] expected = block(0x00, 0x3C, q); // d = 1.0 = f16 0x3C00
        assertThat(encode(GgmlType.Q8_0, x)).containsExactly(expected);
        assertThat(decode(GgmlType.Q8_0, expected, 32)[2]).isEqualTo(-3f);
    }

    @Test
    void q8_0_negativeMax_usesMagnitude() {
        float[] x = new float[32];
        x[9] = -127f;
        x[10] = 64f;
        int[] q = new int[32];
        q[9] = -127;
        q[10] = 64;
        assertThat(encode(GgmlType.Q8_0, x)).containsExactly(block(0x00, 0x3C, q));
    }

    @Test
    void q8_0_zeros_encodeToZeroScale() {
        assertThat(encode(GgmlType.Q8_0, new float[32])).containsExactly(new byte[34]);
        assertThat(decode(GgmlType.Q8_0, new byte[34], 32)).containsOnly(0f);
    }

    @Test
    void q8_0_allEqual_mapsTo127_withRoundedScale() {
        float[] x = new float[32];
        Arrays.fill(x, 3f);
        // d = 3/127 = 0.023622047 = 1.5118 * 2^-6 -> f16 exp 9, mantissa round(0.5118*1024) = 524 = 0x20C
        // -> bits 0 01001 1000001100 = 0x260C; q = roundf(3 * (1/d)) = roundf(126.99999) = 127
        int[] q = new int[32];
        Arrays.fill(q, 127);
        assertThat(encode(GgmlType.Q8_0, x)).containsExactly(block(0x0C, 0x26, q));
    }

    @Test
    void q4_0_negativeMax_givesUnitScale_nibbleLayout() {
        float[] x = new float[32];
        x[0] = -8f; // max by magnitude, negative: d = -8/-8 = 1
        x[1] = 7f; // 15.5 -> 15
        x[2] = 7.5f; // 16 -> clamped 15
        x[3] = -0.5f; // 8.0 -> 8
        x[4] = 0.5f; // 9
        x[5] = 2.49f; // 10.99 -> 10 (truncation, not rounding)
        x[16] = -7.6f; // 0.9 -> 0, high nibble of byte 0
        x[17] = 3f; // 11, high nibble of byte 1
        x[31] = 8f; // same magnitude as x[0] but later: x[0] stays the max; 16.5 -> 15
        int[] lo = {0, 15, 15, 8, 9, 10, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
        int[] hi = {0, 11, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 15};
        int[] packed = new int[16];
        for (int j = 0; j < 16; j++) {
            packed[j] = lo[j] | hi[j] << 4;
        }
        byte[] expected = block(0x00, 0x3C, packed);
        assertThat(encode(GgmlType.Q4_0, x)).containsExactly(expected);
        float[] back = decode(GgmlType.Q4_0, expected, 32);
        assertThat(back[0]).isEqualTo(-8f);
        assertThat(back[1]).isEqualTo(7f);
        assertThat(back[16]).isEqualTo(-8f);
        assertThat(back[17]).isEqualTo(3f);
    }

    @Test
    void q4_0_positiveMax_givesNegativeScale() {
        float[] x = new float[32];
        x[0] = 8f; // d = 8/-8 = -1 (f16 0xBC00), id = -1: q = (int8)(-x + 8.5)
        x[1] = -8f; // 16.5 -> 16 -> clamped 15
        x[2] = 1f; // 7.5 -> 7
        int[] packed = new int[16];
        Arrays.fill(packed, 0x88);
        packed[0] = 0x80; // q0 = 0, q16 = 8
        packed[1] = 0x8F;
        packed[2] = 0x87;
        assertThat(encode(GgmlType.Q4_0, x)).containsExactly(block(0x00, 0xBC, packed));
    }

    @Test
    void q4_0_zeros_storeNegativeZeroScale() {
        // max = 0 -> d = 0 / -8 = -0.0f -> f16 0x8000; id = 0 -> q = (int8)8.5 = 8 everywhere
        int[] packed = new int[16];
        Arrays.fill(packed, 0x88);
        assertThat(encode(GgmlType.Q4_0, new float[32])).containsExactly(block(0x00, 0x80, packed));
    }

    @Test
    void q4_0_allEqual_mapsToZeroCode() {
        float[] x = new float[32];
        Arrays.fill(x, 3f);
        // d = -0.375 = -1.5 * 2^-2 -> f16 1 01101 1000000000 = 0xB600; 3 * (1/d) = -8 -> q = 0
        assertThat(encode(GgmlType.Q4_0, x)).containsExactly(block(0x00, 0xB6, new int[16]));
        assertThat(decode(GgmlType.Q4_0, encode(GgmlType.Q4_0, x), 32)).containsOnly(3f);
    }

    @Test
    void multipleBlocks_areIndependent() {
        float[] x = new float[64];
        x[0] = 127f;
        x[32] = -127f;
        x[33] = 1f;
        byte[] two = encode(GgmlType.Q8_0, x);
        assertThat(two).hasSize(68);
        assertThat(Arrays.copyOfRange(two, 34, 68)).containsExactly(encode(GgmlType.Q8_0, Arrays.copyOfRange(x, 32, 64)));
    }
}
