package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import jdk.incubator.vector.FloatVector;

/**
 * Register tiles of {@link PanelKernels}: 4 panels (one group) x 4 to 6, or 1 token, over a chunk of
 * decoded blocks in the L1 scratch. Each computes, per (row, token) and block (F16: per chunk), the
 * same sequence {@code a = fma(w, x, a)} over the block's 32 columns (F16: the chunk's 32*nb), then
 * folds {@code acc = fma(a, scale, acc)}, so which tile a token lands in never changes its bits.
 *
 * <pre>
 * scratch w, Q8_0:        [nb][G][32][L]   block bi, panel p, column e at (bi*G + p)*32*L + e*L
 * scratch w, F16:         [G][nb*32][L]    panel p, column c of the chunk at (p*nb*32 + c)*L
 * x:         token i of a tile reads x[x0 + i*xs + 32*bi + e]
 * racc:      token i, panel p at ra + i*GROUP_ROWS + p*L
 * </pre>
 */
final class PanelTiles {
    private PanelTiles() {}

    /**
     * 4 panels x 4 to 6 tokens: 24 accumulators, 4 weight vectors and a broadcast fill 29 of AVX-512's
     * 32 registers, and each weight load feeds 6 fmas (block alone on one core: 185 GFLOP/s, a 4x4
     * tile 167). With 4 or 5 tokens the spare rows repeat the first token's and are not folded: one
     * tile shape instead of a second copy of this code for 4 tokens.
     *
     * @param tokens 4..6 tokens; token i reads x[x0 + i*xs ..] and accumulates into racc[ra + i*GROUP_ROWS ..]
     */
    static void tile4x6(float[] w, float[] sc, int nb, float[] x, int x0, int xs, int tokens, float[] racc, int ra,
            float[] blk) {
        int x4 = tokens > 4 ? x0 + 4 * xs : x0;
        int x5 = tokens > 5 ? x0 + 5 * xs : x0;
        for (int bi = 0; bi < nb; bi++) {
            block4x6(w, bi * G * 32 * L, 32 * L, 32, x, x0 + 32 * bi, xs, x4 + 32 * bi, x5 + 32 * bi, blk);
            for (int t = 0; t < tokens; t++) {
                fold(blk, t * G * L, sc, bi * G * L, racc, ra + t * GROUP_ROWS);
            }
        }
    }

    /**
     * {@code len} columns from {@code wb} (panel p at wb + p*ps): one loop, accumulators live only
     * inside it (C2 keeps loop-carried vectors in registers only in a single loop; across a nested loop
     * it reboxed them, 10x slower).
     */
    private static void block4x6(float[] w, int wb, int ps, int len, float[] x, int x0, int xs, int x4, int x5, float[] blk) {
        int x1 = x0 + xs;
        int x2 = x1 + xs;
        int x3 = x2 + xs;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00; // a<token><panel>
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00, a43 = a00;
        FloatVector a50 = a00, a51 = a00, a52 = a00, a53 = a00;
        for (int e = 0; e < len; e++) {
            int wi = wb + e * L;
            FloatVector w0 = FloatVector.fromArray(F, w, wi);
            FloatVector w1 = FloatVector.fromArray(F, w, wi + ps);
            FloatVector w2 = FloatVector.fromArray(F, w, wi + 2 * ps);
            FloatVector w3 = FloatVector.fromArray(F, w, wi + 3 * ps);
            FloatVector xv = FloatVector.broadcast(F, x[x0 + e]);
            a00 = w0.fma(xv, a00);
            a01 = w1.fma(xv, a01);
            a02 = w2.fma(xv, a02);
            a03 = w3.fma(xv, a03);
            xv = FloatVector.broadcast(F, x[x1 + e]);
            a10 = w0.fma(xv, a10);
            a11 = w1.fma(xv, a11);
            a12 = w2.fma(xv, a12);
            a13 = w3.fma(xv, a13);
            xv = FloatVector.broadcast(F, x[x2 + e]);
            a20 = w0.fma(xv, a20);
            a21 = w1.fma(xv, a21);
            a22 = w2.fma(xv, a22);
            a23 = w3.fma(xv, a23);
            xv = FloatVector.broadcast(F, x[x3 + e]);
            a30 = w0.fma(xv, a30);
            a31 = w1.fma(xv, a31);
            a32 = w2.fma(xv, a32);
            a33 = w3.fma(xv, a33);
            xv = FloatVector.broadcast(F, x[x4 + e]);
            a40 = w0.fma(xv, a40);
            a41 = w1.fma(xv, a41);
            a42 = w2.fma(xv, a42);
            a43 = w3.fma(xv, a43);
            xv = FloatVector.broadcast(F, x[x5 + e]);
            a50 = w0.fma(xv, a50);
            a51 = w1.fma(xv, a51);
            a52 = w2.fma(xv, a52);
            a53 = w3.fma(xv, a53);
        }
        a00.intoArray(blk, 0);
        a01.intoArray(blk, L);
        a02.intoArray(blk, 2 * L);
        a03.intoArray(blk, 3 * L);
        a10.intoArray(blk, 4 * L);
        a11.intoArray(blk, 5 * L);
        a12.intoArray(blk, 6 * L);
        a13.intoArray(blk, 7 * L);
        a20.intoArray(blk, 8 * L);
        a21.intoArray(blk, 9 * L);
        a22.intoArray(blk, 10 * L);
        a23.intoArray(blk, 11 * L);
        a30.intoArray(blk, 12 * L);
        a31.intoArray(blk, 13 * L);
        a32.intoArray(blk, 14 * L);
        a33.intoArray(blk, 15 * L);
        a40.intoArray(blk, 16 * L);
        a41.intoArray(blk, 17 * L);
        a42.intoArray(blk, 18 * L);
        a43.intoArray(blk, 19 * L);
        a50.intoArray(blk, 20 * L);
        a51.intoArray(blk, 21 * L);
        a52.intoArray(blk, 22 * L);
        a53.intoArray(blk, 23 * L);
    }

    /**
     * F16 chunks ({@link ScratchDecode} scratch [G][nb*32][L]): one fma chain over the chunk's 32*nb
     * columns, folded once (scale 1), instead of a fold per block, which cost a fifth of the tile.
     * {@link F16Kernels} runs the same chains in decode steps.
     */
    static void tile4x6F16(float[] w, int nb, float[] x, int x0, int xs, int tokens, float[] racc, int ra, float[] blk) {
        block4x6(w, 0, nb * 32 * L, nb * 32, x, x0, xs, tokens > 4 ? x0 + 4 * xs : x0, tokens > 5 ? x0 + 5 * xs : x0, blk);
        for (int t = 0; t < tokens; t++) {
            foldUnscaled(blk, t * G * L, racc, ra + t * GROUP_ROWS);
        }
    }

    /** {@link #tile4x6F16} for one token. */
    static void tile4x1F16(float[] w, int nb, float[] x, int x0, float[] racc, int ra, float[] blk) {
        block4x1(w, 0, nb * 32 * L, nb * 32, x, x0, blk);
        foldUnscaled(blk, 0, racc, ra);
    }

    /** 4 panels x 1 token: the same sequence per (row, token) as {@link #tile4x6} and {@link PanelKernels#q8x1}. */
    static void tile4x1(float[] w, float[] sc, int nb, float[] x, int x0, float[] racc, int ra, float[] blk) {
        for (int bi = 0; bi < nb; bi++) {
            block4x1(w, bi * G * 32 * L, 32 * L, 32, x, x0 + 32 * bi, blk);
            fold(blk, 0, sc, bi * G * L, racc, ra);
        }
    }

    private static void block4x1(float[] w, int wb, int ps, int len, float[] x, int x0, float[] blk) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int e = 0; e < len; e++) {
            int wi = wb + e * L;
            FloatVector xv = FloatVector.broadcast(F, x[x0 + e]);
            a0 = FloatVector.fromArray(F, w, wi).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, wi + ps).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, wi + 2 * ps).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, wi + 3 * ps).fma(xv, a3);
        }
        a0.intoArray(blk, 0);
        a1.intoArray(blk, L);
        a2.intoArray(blk, 2 * L);
        a3.intoArray(blk, 3 * L);
    }

    /** racc[r + p*L ..] = fma(blk[a + p*L ..], sc[si + p*L ..], racc[r + p*L ..]) for the 4 panels of one token. */
    private static void fold(float[] blk, int a, float[] sc, int si, float[] racc, int r) {
        for (int p = 0; p < G * L; p += L) {
            FloatVector.fromArray(F, blk, a + p).fma(FloatVector.fromArray(F, sc, si + p),
                    FloatVector.fromArray(F, racc, r + p)).intoArray(racc, r + p);
        }
    }

    /** racc[r + p*L ..] += blk[a + p*L ..]: the fold with scale 1 (one rounding, as fma(a, 1, acc)). */
    private static void foldUnscaled(float[] blk, int a, float[] racc, int r) {
        for (int p = 0; p < G * L; p += L) {
            FloatVector.fromArray(F, blk, a + p).add(FloatVector.fromArray(F, racc, r + p)).intoArray(racc, r + p);
        }
    }
}
