package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Matmul of one {@link Panels} group (4L rows) with every token. One lane = one row, so each
 * (row, token) output is a plain sequence of fmas and nothing is reduced across lanes.
 *
 * <pre>
 * per (row r, token t), for each block b of 32 columns in order:
 *   a     = 0;  for e in 0..31:  a = fma(q[r][32b+e], x[t][32b+e], a)     q: code as float (F16: weight)
 *   acc   = fma(a, d[r][b] * da[t][b], acc)       d: weight scale (F16: 1), da: activation scale (Q4_0, else 1)
 * out[t][r] = acc
 * </pre>
 *
 * Two ways compute exactly that sequence, so a token's result is bit-identical whichever runs it
 * and whatever the batch (batch invariance):
 * <ul>
 *   <li>decode steps of Q8_0 (one token): {@link #q8x1} straight from the codes;
 *   <li>everything else: a chunk of {@value #NB} blocks of the group decoded to floats in an L1
 *       scratch ({@link ScratchDecode}), then register tiles of 4 panels x 4 tokens ({@link #tile4x4}) or x 1 ({@link #tile4x1}).
 * </ul>
 * Q4_0 decode steps run {@link Q4Kernels} (16-bit integer lanes); Q4_0 batches come here with x = the
 * 8-bit activation codes and da = their scales, so that a = the exact integer isum of Q4Kernels and
 * the fold is the same fma(isum, d * da, acc).
 */
final class PanelKernels {
    /** Blocks per scratch chunk: 4 panels x 4 blocks x 32 x 16 floats = 32 KiB with 16 lanes. */
    static final int NB = 4;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private PanelKernels() {}

    /** Per-thread buffers. */
    static final class Scratch {
        final float[] w = new float[NB * G * 32 * L]; // [nb][G][32][L] decoded codes
        final float[] sc = new float[NB * G * L]; // [nb][G][L] scales
        final float[] one = new float[GROUP_ROWS]; // decode-step results of one group
        final float[] blk = new float[4 * GROUP_ROWS]; // [4 tokens][G][L] block sums of one tile
        float[] racc = new float[0]; // [numTokens][GROUP_ROWS] row accumulators

        float[] racc(int n) {
            if (racc.length < n) {
                racc = new float[n];
            }
            return racc;
        }
    }

    /**
     * Group g of panel tensor data {@code w} times every token.
     *
     * @param x    [numTokens][colsPad] activations, zero past cols (colsPad = 32 * blocks)
     * @param out  [numTokens][rows]
     */
    static void group(GgmlType type, MemorySegment w, int rows, int blocks, int g, float[] x, float[] da,
            int numTokens, float[] out, Scratch s) {
        int colsPad = 32 * blocks;
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, rows - r0);
        long bb = Panels.blockBytes(type);
        long base = Panels.offset(type, blocks, g, 0);
        if (numTokens == 1 && type == GgmlType.Q8_0 && da == null) {
            q8x1(w, base, bb, blocks, x, s.one);
            System.arraycopy(s.one, 0, out, r0, rowsHere);
            return;
        }
        float[] racc = s.racc(numTokens * GROUP_ROWS);
        Arrays.fill(racc, 0, numTokens * GROUP_ROWS, 0f);
        for (int b0 = 0; b0 < blocks; b0 += NB) {
            int nb = Math.min(NB, blocks - b0);
            long at = base + (long) b0 * G * bb;
            float[] sc = ScratchDecode.chunk(type, w, at, bb, nb, s.w, s.sc);
            int t = 0;
            for (; t + 4 <= numTokens; t += 4) {
                tile4x4(s.w, sc, nb, x, t * colsPad + 32 * b0, colsPad, da, t * blocks + b0, blocks, racc,
                        t * GROUP_ROWS, s.blk);
            }
            for (; t < numTokens; t++) {
                tile4x1(s.w, sc, nb, x, t * colsPad + 32 * b0, da, t * blocks + b0, racc, t * GROUP_ROWS, s.blk);
            }
        }
        for (int t = 0; t < numTokens; t++) {
            System.arraycopy(racc, t * GROUP_ROWS, out, t * rows + r0, rowsHere);
        }
    }

    // ---------------------------------------------------------------- decode steps, fused

    /** One token, Q8_0, 4 panels straight from the codes; res: [4L]. */
    static void q8x1(MemorySegment w, long at, long bb, int blocks, float[] x, float[] res) {
        FloatVector r0 = FloatVector.zero(F);
        FloatVector r1 = r0;
        FloatVector r2 = r0;
        FloatVector r3 = r0;
        long step = G * bb;
        for (int b = 0; b < blocks; b++, at += step) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            long q = at + 4L * L;
            int xb = 32 * b;
            for (int e = 0; e < 32; e++, q += L) {
                FloatVector xv = FloatVector.broadcast(F, x[xb + e]);
                a0 = ScratchDecode.codes8(w, q).fma(xv, a0);
                a1 = ScratchDecode.codes8(w, q + bb).fma(xv, a1);
                a2 = ScratchDecode.codes8(w, q + 2 * bb).fma(xv, a2);
                a3 = ScratchDecode.codes8(w, q + 3 * bb).fma(xv, a3);
            }
            r0 = a0.fma(FloatVector.fromMemorySegment(F, w, at, LE), r0);
            r1 = a1.fma(FloatVector.fromMemorySegment(F, w, at + bb, LE), r1);
            r2 = a2.fma(FloatVector.fromMemorySegment(F, w, at + 2 * bb, LE), r2);
            r3 = a3.fma(FloatVector.fromMemorySegment(F, w, at + 3 * bb, LE), r3);
        }
        r0.intoArray(res, 0);
        r1.intoArray(res, L);
        r2.intoArray(res, 2 * L);
        r3.intoArray(res, 3 * L);
    }

    // ---------------------------------------------------------------- register tiles on the scratch

    /**
     * 4 panels x 4 tokens over nb blocks of the scratch. Token i reads x[x0 + i*xs + 32*bi + e] and
     * accumulates into racc[ra + i*GROUP_ROWS + p*L ..].
     */
    static void tile4x4(float[] w, float[] sc, int nb, float[] x, int x0, int xs, float[] da, int o0, int os,
            float[] racc, int ra, float[] blk) {
        for (int bi = 0; bi < nb; bi++) {
            block4x4(w, bi * G * 32 * L, x, x0 + 32 * bi, xs, blk);
            for (int t = 0; t < 4; t++) {
                fold(blk, t * G * L, sc, bi * G * L, da, o0 + t * os + bi, racc, ra + t * GROUP_ROWS);
            }
        }
    }

    /**
     * One block: one loop, accumulators live only inside it (C2 keeps loop-carried vectors in registers
     * only in a single loop; across a nested loop it reboxed them, 10x slower).
     */
    private static void block4x4(float[] w, int wb, float[] x, int x0, int xs, float[] blk) {
        int x1 = x0 + xs;
        int x2 = x1 + xs;
        int x3 = x2 + xs;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00; // a<token><panel>
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int e = 0; e < 32; e++) {
            int wi = wb + e * L;
            FloatVector w0 = FloatVector.fromArray(F, w, wi);
            FloatVector w1 = FloatVector.fromArray(F, w, wi + 32 * L);
            FloatVector w2 = FloatVector.fromArray(F, w, wi + 64 * L);
            FloatVector w3 = FloatVector.fromArray(F, w, wi + 96 * L);
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
        }
        // the fold goes through memory: inlined here it pushed C2 past its node budget and the
        // accumulators were boxed (NodeCountInliningCutoff)
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
    }

    /** 4 panels x 1 token: the same sequence per (row, token) as {@link #tile4x4} and {@link #q8x1}. */
    static void tile4x1(float[] w, float[] sc, int nb, float[] x, int x0, float[] da, int o0, float[] racc, int ra,
            float[] blk) {
        for (int bi = 0; bi < nb; bi++) {
            block4x1(w, bi * G * 32 * L, x, x0 + 32 * bi, blk);
            fold(blk, 0, sc, bi * G * L, da, o0 + bi, racc, ra);
        }
    }

    private static void block4x1(float[] w, int wb, float[] x, int x0, float[] blk) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int e = 0; e < 32; e++) {
            int wi = wb + e * L;
            FloatVector xv = FloatVector.broadcast(F, x[x0 + e]);
            a0 = FloatVector.fromArray(F, w, wi).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, wi + 32 * L).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, wi + 64 * L).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, wi + 96 * L).fma(xv, a3);
        }
        a0.intoArray(blk, 0);
        a1.intoArray(blk, L);
        a2.intoArray(blk, 2 * L);
        a3.intoArray(blk, 3 * L);
    }

    /** racc[r + p*L ..] = fma(blk[a + p*L ..], sc[si + p*L ..] * d, racc[r + p*L ..]) for the 4 panels of one token. */
    private static void fold(float[] blk, int a, float[] sc, int si, float[] da, int di, float[] racc, int r) {
        if (da == null) {
            fold(blk, a, sc, si, racc, r);
        } else {
            foldScaled(blk, a, sc, si, da[di], racc, r);
        }
    }

    private static void fold(float[] blk, int a, float[] sc, int si, float[] racc, int r) {
        for (int p = 0; p < G * L; p += L) {
            FloatVector.fromArray(F, blk, a + p).fma(FloatVector.fromArray(F, sc, si + p),
                    FloatVector.fromArray(F, racc, r + p)).intoArray(racc, r + p);
        }
    }

    /** The Q4_0 fold: the scale is d[r][b] * da[t][b]; with da = 1 it would equal {@link #fold}. */
    private static void foldScaled(float[] blk, int a, float[] sc, int si, float d, float[] racc, int r) {
        FloatVector dv = FloatVector.broadcast(F, d);
        for (int p = 0; p < G * L; p += L) {
            FloatVector.fromArray(F, blk, a + p).fma(FloatVector.fromArray(F, sc, si + p).mul(dv),
                    FloatVector.fromArray(F, racc, r + p)).intoArray(racc, r + p);
        }
    }
}
