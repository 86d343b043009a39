package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SwiGlu} against silu(g) * u in double, over a row with a tail past the last whole vector. */
class SwiGluTest {
    @Test
    void matchesSiluTimesUpInDouble() {
        Random rnd = new Random(5);
        int n = 5 * 16 + 7;
        float[] gate = new float[n + 3];
        float[] up = new float[n + 3];
        for (int i = 0; i < gate.length; i++) {
            gate[i] = (float) (rnd.nextGaussian() * 6);
            up[i] = (float) rnd.nextGaussian();
        }
        float[] before = gate.clone();
        SwiGlu.apply(gate, up, 3, n + 3);
        for (int i = 0; i < 3; i++) {
            assertThat(gate[i]).as("outside the range").isEqualTo(before[i]);
        }
        for (int i = 3; i < n + 3; i++) {
            double g = before[i];
            double want = g / (1 + Math.exp(-g)) * up[i];
            assertThat((double) gate[i]).as("element %d", i).isCloseTo(want, within(1e-6 * (1 + Math.abs(want))));
        }
    }
}
