package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F16 {@link Panels} times one token (decode steps), the halves widened in integer lanes
 * ({@link Halves#load}, h * 2^-112) on the way from the load to the fma. The Vector API has no
 * half-to-float lane conversion, and decoding to a float scratch first (C2's vcvtph2ps) left decode
 * at about half of this machine's memory bandwidth.
 *
 * <pre>
 * w * x = bits * (x * 2^112)        x is scaled once per call; exact while |x| < 2^16
 * </pre>
 *
 * Per (row, chunk of {@link PanelKernels#NB} blocks) the fma sequence is that of
 * {@link PanelTiles#tile4x6F16} (a = fma(w, x, a) over the chunk's columns, then acc = a * 1 + acc),
 * and every product is the same real number, so a token gets bit-identical results alone or in a
 * batch. Halves that are inf or NaN (never in a valid model) decode as large finite values.
 */
final class F16Kernels {
    private static final float BIAS_SCALE = Halves.BIAS_SCALE;
    static final float MAX_ABS_X = Halves.MAX_ABS_SCALED;

    private F16Kernels() {}

    /**
     * xs[i] = x[i] * 2^112 for the padded row of one token.
     *
     * @return false if some |x| >= 2^16 or is NaN, where the caller must take the scratch path
     */
    static boolean scale(float[] x, int n, float[] xs) {
        boolean inRange = true;
        for (int i = 0; i < n; i++) {
            float v = x[i];
            inRange &= Math.abs(v) < MAX_ABS_X;
            xs[i] = v * BIAS_SCALE;
        }
        return inRange;
    }

    /** Group g times one token; xs from {@link #scale}; out: [rows]. */
    static void group(MemorySegment w, int rows, int blocks, int g, float[] xs, float[] out, float[] one) {
        x1(w, Panels.offset(GgmlType.F16, blocks, g, 0), Panels.blockBytes(GgmlType.F16), blocks, xs, one);
        int r0 = g * GROUP_ROWS;
        System.arraycopy(one, 0, out, r0, Math.min(GROUP_ROWS, rows - r0));
    }

    private static void x1(MemorySegment w, long at, long bb, int blocks, float[] xs, float[] res) {
        FloatVector r0 = FloatVector.zero(F);
        FloatVector r1 = r0;
        FloatVector r2 = r0;
        FloatVector r3 = r0;
        long step = G * bb;
        for (int b0 = 0; b0 < blocks; b0 += PanelKernels.NB) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int end = Math.min(blocks, b0 + PanelKernels.NB);
            for (int b = b0; b < end; b++, at += step) {
                long q = at;
                int xb = 32 * b;
                for (int e = 0; e < 32; e++, q += 2L * L) {
                    FloatVector xv = FloatVector.broadcast(F, xs[xb + e]);
                    a0 = Halves.load(w, q).fma(xv, a0);
                    a1 = Halves.load(w, q + bb).fma(xv, a1);
                    a2 = Halves.load(w, q + 2 * bb).fma(xv, a2);
                    a3 = Halves.load(w, q + 3 * bb).fma(xv, a3);
                }
            }
            r0 = a0.add(r0);
            r1 = a1.add(r1);
            r2 = a2.add(r2);
            r3 = a3.add(r3);
        }
        r0.intoArray(res, 0);
        r1.intoArray(res, L);
        r2.intoArray(res, 2 * L);
        r3.intoArray(res, 3 * L);
    }

}
