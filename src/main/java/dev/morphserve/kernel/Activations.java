package dev.morphserve.kernel;

import dev.morphserve.tensor.Q8_0Codec;
import java.util.Arrays;

/**
 * Prepares the activation rows a matmul reads: zero-padded to whole vectors and, for quantized
 * weights, passed through ggml's Q8_0 activation quantization first.
 *
 * <pre>
 * x  : [numTokens][cols]      caller's activations
 * xp : [numTokens][colsPad]   colsPad = cols rounded up to L lanes; the pad is 0 so it adds nothing
 * </pre>
 */
final class Activations {
    private Activations() {}

    /** Token {@code t} of {@code x} copied into its padded row of {@code xp}. */
    static void copyPadded(float[] x, int t, int cols, float[] xp, int colsPad) {
        System.arraycopy(x, t * cols, xp, t * colsPad, cols);
        Arrays.fill(xp, t * colsPad + cols, (t + 1) * colsPad, 0f);
    }

    /**
     * Token {@code t} quantized to Q8_0 (per 32 elements: f16 scale, int8 codes) exactly as
     * llama.cpp quantizes activations for Q8_0 / Q4_0 weights, then written back dequantized
     * ({@code q * d}) so that the fma tiles see the same 8-bit values an integer dot product would.
     *
     * @param codes scratch of at least 32 bytes
     */
    static void quantizeQ8_0(float[] x, int t, int cols, float[] xp, int colsPad, byte[] codes) {
        int src = t * cols;
        int dst = t * colsPad;
        for (int b = 0; b < cols; b += 32) {
            float d = Float.float16ToFloat(Q8_0Codec.quantizeBlock(x, src + b, codes, 0));
            for (int j = 0; j < 32; j++) {
                xp[dst + b + j] = codes[j] * d;
            }
        }
        Arrays.fill(xp, dst + cols, dst + colsPad, 0f);
    }
}
