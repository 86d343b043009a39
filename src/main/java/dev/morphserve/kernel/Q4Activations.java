package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Q8_0Codec;
import dev.morphserve.tensor.Q8_KCodec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The activations of one Q4_0 matmul, quantized as llama.cpp quantizes them for Q4_0 weights
 * (Q8_0: per 32 columns an f16 scale da and int8 codes a in [-127, 127]), in the form
 * {@link Q4Kernels} reads.
 *
 * <pre>
 * pairs : [blocks][32] shorts              per step j: a[2j], a[2j+1] - 16 a[2j] (decode steps only)
 * corr  : [blocks]     shorts              -8 * sum of the block's 32 codes (|.| <= 32512; decode steps only)
 * scale : [numTokens][blocks]     floats   da, the f16 scale widened
 * codes : [numTokens][cols]       floats   a (as floats: {@link #quantize} works in float lanes)
 * pairInts: [numTokens][cols/2]  ints     a[2j] & 0xffff | a[2j+1] << 16, for {@link Q4Tiles} (batches only)
 * </pre>
 *
 * Grown on demand and reused across calls; one instance per {@link VectorKernels}.
 */
final class Q4Activations {
    short[] pairs = new short[0];
    short[] corr = new short[0];
    float[] scale = new float[0];
    float[] codes = new float[0];
    int[] pairInts = new int[0];
    /** Q8_K only: [numTokens][blocks] sum of each 32-block's codes times its scale (as floats, the codes' sum exact). */
    float[] bsum = new float[0];
    /** Q8_K rounding (one scale per {@link #QK} columns, {@link Q8_KCodec}) instead of Q8_0's per 32. */
    private boolean perSuperBlock;

    static final int QK = Q8_KCodec.BLOCK;

    /** Quantizes x: [numTokens][cols], cols a multiple of 32, sharing the tokens over the pool. */
    void prepare(float[] x, int numTokens, int cols, WorkerPool pool) {
        prepare(x, numTokens, cols, pool, false);
    }

    /**
     * As {@link #prepare(float[], int, int, WorkerPool)}, with Q8_K rounding when {@code q8k} (cols a multiple
     * of {@link #QK}): scale[t][b] is then the super-block's d for each of its 32-blocks, and bsum is filled.
     */
    void prepare(float[] x, int numTokens, int cols, WorkerPool pool, boolean q8k) {
        int blocks = cols / 32;
        perSuperBlock = q8k;
        if (q8k && bsum.length < numTokens * blocks) {
            bsum = new float[numTokens * blocks];
        }
        if (codes.length < numTokens * cols) {
            codes = new float[numTokens * cols];
        }
        if (scale.length < numTokens * blocks) {
            scale = new float[numTokens * blocks];
        }
        if (numTokens == 1) {
            if (pairs.length < cols) { // one token's worth: only decode steps read them
                pairs = new short[cols];
                corr = new short[blocks];
            }
            token(x, 0, blocks, true);
        } else {
            if (pairInts.length < numTokens * cols / 2) {
                pairInts = new int[numTokens * cols / 2];
            }
            pool.run(numTokens, (t, worker) -> token(x, t, blocks, false));
        }
    }

    /** Codes and scales of token t; then pairs and corr for a decode step, pairInts for a batch. */
    private void token(float[] x, int t, int blocks, boolean decode) {
        for (int b = 0; b < blocks; b++) {
            int i = (t * blocks + b) * 32;
            if (!perSuperBlock) {
                scale[t * blocks + b] = quantize(x, i, codes);
            } else if (b % (QK / 32) == 0) {
                float d = quantizeQ8_K(x, i, codes);
                java.util.Arrays.fill(scale, t * blocks + b, t * blocks + b + QK / 32, d);
            }
            if (perSuperBlock) {
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    sum += (int) codes[i + j];
                }
                bsum[t * blocks + b] = sum * scale[t * blocks + b];
            }
            if (!decode) {
                for (int j = 0; j < 32; j += 2) {
                    pairInts[(i + j) / 2] = ((int) codes[i + j] & 0xffff) | (int) codes[i + j + 1] << 16;
                }
                continue;
            }
            int sum = 0;
            for (int j = 0; j < 32; j += 2) {
                int a0 = (int) codes[i + j];
                int a1 = (int) codes[i + j + 1];
                pairs[i + j] = (short) a0;
                pairs[i + j + 1] = (short) (a1 - 16 * a0);
                sum += a0 + a1;
            }
            corr[t * blocks + b] = (short) (-8 * sum);
        }
    }

    /** K-quant weights whose llama.cpp dot products take Q8_K activations (vec_dot_qN_K_q8_K). */
    static boolean takesQ8_K(GgmlType type) {
        return switch (type) {
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /** dst[t*cols ..] = x[t*cols ..] rounded to Q8_K and dequantized (code * d, one float product) for token t. */
    static void roundedQ8_K(float[] x, int t, int cols, float[] dst) {
        for (int i = t * cols; i < (t + 1) * cols; i += QK) {
            float d = quantizeQ8_K(x, i, dst);
            for (int j = i; j < i + QK; j++) {
                dst[j] *= d;
            }
        }
    }

    /**
     * {@link Q8_KCodec#encode} of x[i .. i+QK): codes (as floats) to dst[i ..], returns d. ggml's
     * quantize_row_q8_K: max = the x of largest |x| (first wins), iscale = -127/max,
     * q = min(127, nearest(iscale * x)) (round half to even), d = 1/iscale; all zeros give d = 0.
     */
    static float quantizeQ8_K(float[] x, int i, float[] dst) {
        float max = 0;
        float amax = 0;
        for (int j = i; j < i + QK; j++) {
            float ax = Math.abs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(dst, i, i + QK, 0f);
            return 0f;
        }
        float iscale = -127f / max;
        for (int j = i; j < i + QK; j++) {
            dst[j] = Math.min(127f, (float) Math.rint(iscale * x[j]));
        }
        return 1 / iscale;
    }

    /**
     * {@link Q8_0Codec#quantizeBlock} of x[i .. i+32) in vector lanes, same values: codes (as floats)
     * to dst[i ..], returns the widened f16 scale. Scalar, it cost about as much as the matmul's tiles
     * at 128 tokens. roundf(f) = sign * (trunc|f| + (|f| - trunc|f| >= 0.5)), exact: the
     * fraction of a float below 2^23 is exact.
     */
    static float quantize(float[] x, int i, float[] dst) {
        FloatVector amax = FloatVector.zero(F);
        for (int k = 0; k < 32; k += L) {
            amax = amax.max(FloatVector.fromArray(F, x, i + k).abs());
        }
        float d = amax.reduceLanes(VectorOperators.MAX) / 127f;
        float id = d != 0f ? 1f / d : 0f;
        for (int k = 0; k < 32; k += L) {
            FloatVector f = FloatVector.fromArray(F, x, i + k).mul(id);
            FloatVector av = f.abs();
            IntVector ti = (IntVector) av.convert(VectorOperators.F2I, 0);
            FloatVector tf = (FloatVector) ti.convert(VectorOperators.I2F, 0);
            FloatVector r = tf.add(1f, av.sub(tf).compare(VectorOperators.GE, 0.5f));
            r.lanewise(VectorOperators.NEG, f.compare(VectorOperators.LT, 0f)).intoArray(dst, i + k);
        }
        return Float.float16ToFloat(Float.floatToFloat16(d));
    }
}
