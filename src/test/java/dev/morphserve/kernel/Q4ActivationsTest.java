package dev.morphserve.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.tensor.Q8_0Codec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vectorized activation quantization must give exactly ggml's Q8_0 codes and scale. */
class Q4ActivationsTest {

    @Test
    void quantize_equalsQ8_0Codec_bitForBit() {
        Random rnd = new Random(42);
        float[] x = new float[32];
        float[] got = new float[32];
        byte[] want = new byte[32];
        for (int trial = 0; trial < 20_000; trial++) {
            int kind = trial % 4;
            for (int j = 0; j < 32; j++) {
                x[j] = switch (kind) {
                    case 0 -> (float) rnd.nextGaussian() * 3f;
                    case 1 -> (rnd.nextInt(255) - 127) * 0.5f; // exact ties at amax = 63.5
                    case 2 -> j == 5 ? 127f : rnd.nextInt(255) - 127 + 0.5f; // ties at d = 1
                    default -> trial % 8 == 3 ? 0f : (float) rnd.nextGaussian() * 1e-3f;
                };
            }
            float d = Q4Activations.quantize(x, 0, got);
            short wantD = Q8_0Codec.quantizeBlock(x, 0, want, 0);
            assertThat(Float.floatToRawIntBits(d)).isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat(wantD)));
            for (int j = 0; j < 32; j++) {
                assertThat(got[j]).as("trial %d lane %d x=%s", trial, j, x[j]).isEqualTo((float) want[j]);
            }
        }
    }
}
