package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;

import dev.morphserve.tensor.Q8_0Codec;
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

    /** Quantizes x: [numTokens][cols], cols a multiple of 32, sharing the tokens over the pool. */
    void prepare(float[] x, int numTokens, int cols, WorkerPool pool) {
        int blocks = cols / 32;
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
            scale[t * blocks + b] = quantize(x, i, codes);
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
