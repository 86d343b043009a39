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
 *   acc   = fma(a, d[r][b], acc)                  d: weight scale (F16: 1, folded once per chunk)
 * out[t][r] = acc
 * </pre>
 *
 * Two ways compute exactly that sequence, so a token's result is bit-identical whichever runs it
 * and whatever the batch (batch invariance):
 * <ul>
 *   <li>decode steps of Q8_0 (one token): {@link #q8x1} straight from the codes;
 *   <li>everything else: a chunk of {@value #NB} blocks of the group decoded to floats in an L1
 *       scratch ({@link ScratchDecode}), then register tiles of 4 panels x 4 to 6 tokens or x 1 token ({@link PanelTiles}).
 * </ul>
 * Q4_0 runs {@link Q4Kernels} (decode steps) and {@link Q4Tiles} (batches) in 16-bit integer lanes.
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
        final float[] one = new float[2 * GROUP_ROWS]; // decode-step results of one group (Q4_0: two)
        final short[] sums = new short[GROUP_ROWS]; // Q4_0 decode step: integer block sums of one group
        final float[] blk = new float[6 * GROUP_ROWS]; // [6 tokens][G][L] block sums of one tile
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
    static void group(GgmlType type, MemorySegment w, int rows, int blocks, int g, float[] x, int numTokens,
            float[] out, Scratch s) {
        int colsPad = 32 * blocks;
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, rows - r0);
        long bb = Panels.blockBytes(type);
        long base = Panels.offset(type, blocks, g, 0);
        if (numTokens == 1 && type == GgmlType.Q8_0) {
            q8x1(w, base, bb, blocks, x, s.one);
            System.arraycopy(s.one, 0, out, r0, rowsHere);
            return;
        }
        float[] racc = s.racc(numTokens * GROUP_ROWS);
        Arrays.fill(racc, 0, numTokens * GROUP_ROWS, 0f);
        for (int b0 = 0; b0 < blocks; b0 += NB) {
            int nb = Math.min(NB, blocks - b0);
            long at = base + (long) b0 * G * bb;
            ScratchDecode.chunk(type, w, at, bb, nb, s.w, s.sc);
            float[] sc = s.sc;
            int t = 0;
            boolean f16 = type == GgmlType.F16;
            for (int k; (k = tileTokens(numTokens - t)) >= 4; t += k) {
                if (f16) {
                    PanelTiles.tile4x6F16(s.w, nb, x, t * colsPad + 32 * b0, colsPad, k, racc, t * GROUP_ROWS, s.blk);
                } else {
                    PanelTiles.tile4x6(s.w, sc, nb, x, t * colsPad + 32 * b0, colsPad, k, racc, t * GROUP_ROWS, s.blk);
                }
            }
            for (; t < numTokens; t++) {
                if (f16) {
                    PanelTiles.tile4x1F16(s.w, nb, x, t * colsPad + 32 * b0, racc, t * GROUP_ROWS, s.blk);
                } else {
                    PanelTiles.tile4x1(s.w, sc, nb, x, t * colsPad + 32 * b0, racc, t * GROUP_ROWS, s.blk);
                }
            }
        }
        for (int t = 0; t < numTokens; t++) {
            System.arraycopy(racc, t * GROUP_ROWS, out, t * rows + r0, rowsHere);
        }
    }

    /** Tokens of the next tile for {@code remaining} tokens: 6 where it leaves none or >= 4 over (8 = 4 + 4, 9 = 5 + 4). */
    static int tileTokens(int remaining) {
        return remaining == 8 || remaining == 9 ? remaining - 4 : Math.min(6, remaining);
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
}
