package dev.morphserve.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * decode(encode(x)) of the K-quants on random data: the error each format's bit width allows, zero
 * blocks, and Q8_K's exact codes (its rounding is half-even, unlike Q8_0's).
 */
class KQuantCodecTest {
    private static final int QK = GgmlType.Q4_K.blockSize();

    private static MemorySegment encode(GgmlType type, float[] x) {
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) type.bytesFor(x.length)]);
        TensorCodec.encode(type, x, 0, x.length, seg, 0);
        return seg;
    }

    private static float[] decode(GgmlType type, MemorySegment seg, int n) {
        float[] out = new float[n];
        TensorCodec.decode(type, seg, 0, out, 0, n);
        return out;
    }

    /** Gaussian rows with the awkward cases mixed in: zero sub-blocks, tiny values, one outlier per block. */
    static float[] randomRow(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(50);
            double g = rnd.nextGaussian();
            x[i] = kind == 0 ? 0f : kind == 1 ? (float) (g * 1e-6) : (float) g;
        }
        for (int b = 0; b < n; b += QK) {
            int zero = b + 16 * rnd.nextInt(QK / 16);
            Arrays.fill(x, zero, zero + 16, 0f);
            x[b + rnd.nextInt(QK)] *= 8;
        }
        return x;
    }

    /**
     * Worst relative RMS error of a super-block: about halving per extra bit, except where one
     * outlier (8x) sets the scale of a whole 256 (Q8_K) or of the sub-block scales (Q6_K). Measured over
     * these 64 blocks: Q2_K 0.45, Q3_K 0.22, Q4_K 0.100, Q5_K 0.048, Q6_K 0.035, Q8_K 0.028.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void roundTrip_staysWithinTheFormatsError(GgmlType type) {
        double bound = switch (type) {
            case Q2_K -> 0.55;
            case Q3_K -> 0.27;
            case Q4_K -> 0.12;
            case Q5_K -> 0.06;
            case Q6_K -> 0.042;
            case Q8_K -> 0.035;
            default -> throw new IllegalArgumentException();
        };
        Random rnd = new Random(type.id());
        int n = 64 * QK;
        float[] x = randomRow(n, rnd);
        MemorySegment encoded = encode(type, x);
        assertThat(encoded.mismatch(encode(type, x))).as("deterministic").isEqualTo(-1L);
        float[] y = decode(type, encoded, n);
        double worst = 0;
        for (int b = 0; b < n; b += QK) {
            double err = 0;
            double norm = 0;
            for (int i = b; i < b + QK; i++) {
                err += (y[i] - x[i]) * (double) (y[i] - x[i]);
                norm += x[i] * (double) x[i];
            }
            worst = Math.max(worst, Math.sqrt(err / norm));
        }
        assertThat(worst).as(type + " worst relative RMS error of a super-block").isLessThan(bound);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void zeroBlocks_decodeToZero_andConstantBlocksStayClose(GgmlType type) {
        float[] x = new float[2 * QK];
        Arrays.fill(x, QK, 2 * QK, 0.75f);
        float[] y = decode(type, encode(type, x), x.length);
        for (int i = 0; i < QK; i++) {
            assertThat(Math.abs(y[i])).as("%s zero element %d", type, i).isZero();
        }
        for (int i = QK; i < 2 * QK; i++) {
            assertThat((double) y[i]).as("%s constant element %d", type, i).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.75 * 0.02));
        }
    }

    @Test
    void q8_K_roundsHalfToEven_keepsAnF32Scale_andSumsEach16() {
        float[] x = new float[QK];
        x[0] = -127f; // max by magnitude: iscale = -127/-127 = 1, d = 1
        x[1] = 2.5f; // tie -> 2 (Q8_0's roundf would give 3)
        x[2] = -2.5f; // -> -2
        x[3] = 3.5f; // -> 4
        x[17] = 100.2f; // -> 100
        MemorySegment seg = encode(GgmlType.Q8_K, x);
        assertThat(seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0)).isEqualTo(1f);
        byte[] q = seg.asSlice(Q8_KCodec.QS, QK).toArray(ValueLayout.JAVA_BYTE);
        assertThat(Arrays.copyOf(q, 4)).containsExactly(-127, 2, -2, 4);
        assertThat(q[17]).isEqualTo((byte) 100);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        assertThat(seg.get(i16, Q8_KCodec.BSUMS)).isEqualTo((short) (-127 + 2 - 2 + 4));
        assertThat(seg.get(i16, Q8_KCodec.BSUMS + 2)).isEqualTo((short) 100);
        assertThat(decode(GgmlType.Q8_K, seg, QK)[3]).isEqualTo(4f);
    }

    @Test
    void nearestInt_isRoundHalfEven() {
        assertThat(KQuantSearch.nearestInt(0.5f)).isZero();
        assertThat(KQuantSearch.nearestInt(1.5f)).isEqualTo(2);
        assertThat(KQuantSearch.nearestInt(-0.5f)).isZero();
        assertThat(KQuantSearch.nearestInt(-1.5f)).isEqualTo(-2);
        assertThat(KQuantSearch.nearestInt(0.49999997f)).isZero();
        assertThat(KQuantSearch.nearestInt(-4194303f)).isEqualTo(-4194303);
    }

    @Test
    void rowsThatDoNotSplitIntoSuperBlocks_areRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(1024);
            assertThatThrownBy(() -> TensorCodec.encode(GgmlType.Q4_K, new float[288], 0, 288, seg, 0))
                    .hasMessageContaining("Q4_K needs a multiple of 256");
        }
    }
}
