package dev.morphserve.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CosineMeanTest {
    @Test
    void averagesPerTokenCosinesAcrossCalls() {
        CosineMean mean = new CosineMean();
        // token 0: identical (1), token 1: orthogonal (0)
        mean.add(new float[] {1, 2, 0, 1}, new float[] {2, 4, 3, 0}, 2, 2, null);
        // token 2: opposite (-1)
        mean.add(new float[] {1, 1}, new float[] {-2, -2}, 1, 2, null);
        assertThat(mean.tokens()).isEqualTo(3);
        assertThat(mean.mean()).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void weightsScaleElementsBeforeTheCosine() {
        // without weights 45 degrees apart; a zero weight on the second element makes them identical
        assertThat(CosineMean.cosine(new float[] {1, 0}, new float[] {1, 1}, 0, 2, null))
                .isCloseTo(Math.sqrt(0.5), within(1e-12));
        assertThat(CosineMean.cosine(new float[] {1, 0}, new float[] {1, 1}, 0, 2, new float[] {1, 0})).isEqualTo(1.0);
        assertThat(CosineMean.cosine(new float[] {0, 0}, new float[] {0, 0}, 0, 2, null)).isEqualTo(1.0);
        assertThat(new CosineMean().mean()).isNaN();
    }
}
