package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;

import jdk.incubator.vector.FloatVector;

/**
 * Register-blocked dot products of a decoded weight panel (4 rows) with token rows.
 *
 * <pre>
 * w   : [4][wStride]   rows r0..r0+3 of the panel, elements k0..k0+n of each row
 * x   : token rows, xt = offset of element k0 of token t's (zero-padded) row
 * acc : [T][4][L]      one lane vector per (token, row), carried across k-chunks
 *
 *            k -> (L lanes per step)
 *   w0 ─┐
 *   w1 ─┼─ fma ─► acc[t][r] += w_r[k..k+L) * x_t[k..k+L)
 *   w2 ─┤
 *   w3 ─┘   x0 x1 x2 x3
 * </pre>
 *
 * Every (token, row) sees the same sequence of fma operations whichever tile computes it, so the
 * result of a token does not depend on how many tokens share the call (batch invariance), nor on
 * threads or chunking. The 4x4 tile loads 8 vectors per 16 fmas: fma-bound, not load-bound.
 */
final class DotTiles {
    private DotTiles() {}

    static void tile4x4(float[] w, int wStride, int n, float[] x, int x0, int x1, int x2, int x3, float[] acc, int a) {
        int w1o = wStride;
        int w2o = 2 * wStride;
        int w3o = 3 * wStride;
        FloatVector a00 = FloatVector.fromArray(F, acc, a);
        FloatVector a01 = FloatVector.fromArray(F, acc, a + L);
        FloatVector a02 = FloatVector.fromArray(F, acc, a + 2 * L);
        FloatVector a03 = FloatVector.fromArray(F, acc, a + 3 * L);
        FloatVector a10 = FloatVector.fromArray(F, acc, a + 4 * L);
        FloatVector a11 = FloatVector.fromArray(F, acc, a + 5 * L);
        FloatVector a12 = FloatVector.fromArray(F, acc, a + 6 * L);
        FloatVector a13 = FloatVector.fromArray(F, acc, a + 7 * L);
        FloatVector a20 = FloatVector.fromArray(F, acc, a + 8 * L);
        FloatVector a21 = FloatVector.fromArray(F, acc, a + 9 * L);
        FloatVector a22 = FloatVector.fromArray(F, acc, a + 10 * L);
        FloatVector a23 = FloatVector.fromArray(F, acc, a + 11 * L);
        FloatVector a30 = FloatVector.fromArray(F, acc, a + 12 * L);
        FloatVector a31 = FloatVector.fromArray(F, acc, a + 13 * L);
        FloatVector a32 = FloatVector.fromArray(F, acc, a + 14 * L);
        FloatVector a33 = FloatVector.fromArray(F, acc, a + 15 * L);
        for (int k = 0; k < n; k += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, k);
            FloatVector w1 = FloatVector.fromArray(F, w, w1o + k);
            FloatVector w2 = FloatVector.fromArray(F, w, w2o + k);
            FloatVector w3 = FloatVector.fromArray(F, w, w3o + k);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + k);
            a00 = w0.fma(xv, a00);
            a01 = w1.fma(xv, a01);
            a02 = w2.fma(xv, a02);
            a03 = w3.fma(xv, a03);
            xv = FloatVector.fromArray(F, x, x1 + k);
            a10 = w0.fma(xv, a10);
            a11 = w1.fma(xv, a11);
            a12 = w2.fma(xv, a12);
            a13 = w3.fma(xv, a13);
            xv = FloatVector.fromArray(F, x, x2 + k);
            a20 = w0.fma(xv, a20);
            a21 = w1.fma(xv, a21);
            a22 = w2.fma(xv, a22);
            a23 = w3.fma(xv, a23);
            xv = FloatVector.fromArray(F, x, x3 + k);
            a30 = w0.fma(xv, a30);
            a31 = w1.fma(xv, a31);
            a32 = w2.fma(xv, a32);
            a33 = w3.fma(xv, a33);
        }
        a00.intoArray(acc, a);
        a01.intoArray(acc, a + L);
        a02.intoArray(acc, a + 2 * L);
        a03.intoArray(acc, a + 3 * L);
        a10.intoArray(acc, a + 4 * L);
        a11.intoArray(acc, a + 5 * L);
        a12.intoArray(acc, a + 6 * L);
        a13.intoArray(acc, a + 7 * L);
        a20.intoArray(acc, a + 8 * L);
        a21.intoArray(acc, a + 9 * L);
        a22.intoArray(acc, a + 10 * L);
        a23.intoArray(acc, a + 11 * L);
        a30.intoArray(acc, a + 12 * L);
        a31.intoArray(acc, a + 13 * L);
        a32.intoArray(acc, a + 14 * L);
        a33.intoArray(acc, a + 15 * L);
    }

    /** One token: decode and batched tails. Four independent chains keep the fma unit busy enough for a memory-bound step. */
    static void tile4x1(float[] w, int wStride, int n, float[] x, int x0, float[] acc, int a) {
        int w1o = wStride;
        int w2o = 2 * wStride;
        int w3o = 3 * wStride;
        FloatVector a00 = FloatVector.fromArray(F, acc, a);
        FloatVector a01 = FloatVector.fromArray(F, acc, a + L);
        FloatVector a02 = FloatVector.fromArray(F, acc, a + 2 * L);
        FloatVector a03 = FloatVector.fromArray(F, acc, a + 3 * L);
        for (int k = 0; k < n; k += L) {
            FloatVector xv = FloatVector.fromArray(F, x, x0 + k);
            a00 = FloatVector.fromArray(F, w, k).fma(xv, a00);
            a01 = FloatVector.fromArray(F, w, w1o + k).fma(xv, a01);
            a02 = FloatVector.fromArray(F, w, w2o + k).fma(xv, a02);
            a03 = FloatVector.fromArray(F, w, w3o + k).fma(xv, a03);
        }
        a00.intoArray(acc, a);
        a01.intoArray(acc, a + L);
        a02.intoArray(acc, a + 2 * L);
        a03.intoArray(acc, a + 3 * L);
    }
}
