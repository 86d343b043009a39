package dev.morphserve.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** {@link Halves} against the JDK's own half conversions, over every 16-bit pattern. */
class HalvesTest {
    private static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static boolean finite(short h) {
        return (h & 0x7C00) != 0x7C00;
    }

    @Test
    void everyFiniteHalfReadsAsItsValueTimesTwoToTheMinus112AndNoneAsInfinite() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment halves = arena.allocate(1 << 17, 64);
            for (int i = 0; i < 1 << 16; i++) {
                halves.set(HALF_LE, 2L * i, (short) i);
            }
            float[] lanes = new float[Lanes.L];
            for (int i = 0; i < 1 << 16; i += Lanes.L) {
                Halves.load(halves, 2L * i).intoArray(lanes, 0);
                for (int j = 0; j < Lanes.L; j++) {
                    short h = (short) (i + j);
                    if (finite(h)) {
                        assertThat(lanes[j] * Halves.BIAS_SCALE).as("half 0x%04x", h & 0xFFFF).isEqualTo(Float.float16ToFloat(h));
                    } else {
                        assertThat(lanes[j]).as("half 0x%04x", h & 0xFFFF).isFinite();
                    }
                }
            }
        }
    }

    @Test
    void fromFloatRoundsToNearestAndSaturatesInsteadOfOverflowing() {
        for (float x : new float[] {0f, -0f, 1f / 3, -2.5e-6f, 1e-8f, 1000.3f, -65504f, 65519f}) {
            assertThat(Halves.fromFloat(x)).as("%s", x).isEqualTo(Float.floatToFloat16(x));
        }
        assertThat(Float.float16ToFloat(Halves.fromFloat(65520f))).isEqualTo(Halves.MAX_HALF);
        assertThat(Float.float16ToFloat(Halves.fromFloat(1e9f))).isEqualTo(Halves.MAX_HALF);
        assertThat(Float.float16ToFloat(Halves.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(-Halves.MAX_HALF);
        assertThat(Float.float16ToFloat(Halves.fromFloat(Float.NaN))).isNaN();
    }
}
