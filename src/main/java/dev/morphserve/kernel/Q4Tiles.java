package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;
import static dev.morphserve.kernel.Q4Kernels.S2;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.ROR;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 {@link Panels} times a batch of 8-bit activations, in 16-bit integer lanes: the same isum and
 * fold per (row, token, block) as {@link Q4Kernels}' decode step, so results are batch invariant.
 *
 * <pre>
 * scratch q : [nb][16 steps j][G panels][2L shorts]   lanes 2l, 2l+1 = q[l][2j] - 8, q[l][2j+1] - 8
 *                                                      for row l of the panel, block bi of the chunk
 * x pairs   : [numTokens][cols/2] ints                 low half a[t][2j], high half a[t][2j+1]
 *
 *   short lanes of one multiply:   | q0,2j  q0,2j+1 | q1,2j  q1,2j+1 | ... | qL-1,2j  qL-1,2j+1 |
 *                                x | a2j    a2j+1   | a2j    a2j+1   | ... | a2j      a2j+1     |  (one int broadcast)
 * </pre>
 *
 * After the 16 steps of a block the even lanes hold one half of each row's isum and the odd lanes
 * the other (each |.| <= 16 * 8 * 127 < 2^15, exact in a short). The fold adds the halves in short
 * lanes against a copy rotated by 16 bits, which leaves isum in every high half; masked, the int is
 * isum * 2^16 (exact as a float) and the scratch scale is d * 2^-16, so the product with da is the
 * same real number as Q4Kernels' isum * (d * da) and the fma rounds it the same way (d * da * 2^-16
 * stays far above the subnormals: d and da are f16 values).
 *
 * <p>Why 16 bits: a short multiply plus add covers 2L multiply-accumulates, as many as two float
 * fmas, yet in L1 on one core (AMD EPYC family 26) the bare 4 x 6 loop ran 155-186 multiply-
 * accumulates per ns against 95-107 for the float 4 x 6 tile of {@link PanelTiles} on decoded Q4_0.
 * (An earlier 16-bit tile broadcast single shorts, 4 tokens x 2 vectors, stored its sums for a
 * separate fold and lost to the float tile.)
 */
final class Q4Tiles {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Shorts of one scratch block: 16 steps x G panels x 2L. */
    private static final int BLOCK_SHORTS = 16 * G * 2 * L;
    /** The high short of an int lane. */
    private static final int HIGH = 0xffff0000;
    /** Most tokens per pass of {@link #group}. */
    private static final int SLICE_TOKENS = 60;

    private Q4Tiles() {}

    /** Per-thread buffers. */
    static final class Scratch {
        final short[] q = new short[PanelKernels.NB * BLOCK_SHORTS];
        final float[] sc = new float[PanelKernels.NB * G * L]; // [nb][G][L] weight scales d * 2^-16
        float[] racc = new float[0]; // [slice tokens][GROUP_ROWS]

        float[] racc(int n) {
            if (racc.length < n) {
                racc = new float[n];
            }
            return racc;
        }
    }

    /**
     * Group g of Q4_0 panel data {@code w} times every token of {@code x}; out: [numTokens][rows].
     * The tokens go in slices of at most {@value #SLICE_TOKENS}, each a pass over all blocks, so that
     * a slice's row sums (256 B a token) and the decoded chunk (16 KiB) share a 48 KiB L1: one pass
     * of 128 tokens (32 KiB of sums) ran at two thirds the speed of 72 tokens.
     */
    static void group(MemorySegment w, int rows, int blocks, int g, Q4Activations x, int numTokens, float[] out,
            Scratch s) {
        int slices = (numTokens + SLICE_TOKENS - 1) / SLICE_TOKENS;
        int perSlice = ((numTokens + slices - 1) / slices + 2) / 3 * 3;
        float[] racc = s.racc(perSlice * GROUP_ROWS);
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, rows - r0);
        long base = (long) g * blocks * Q4Kernels.GROUP_BLOCK_BYTES;
        for (int t0 = 0; t0 < numTokens; t0 += perSlice) {
            int t1 = Math.min(numTokens, t0 + perSlice);
            Arrays.fill(racc, 0, (t1 - t0) * GROUP_ROWS, 0f);
            for (int b0 = 0; b0 < blocks; b0 += PanelKernels.NB) {
                int nb = Math.min(PanelKernels.NB, blocks - b0);
                decode(w, base + b0 * Q4Kernels.GROUP_BLOCK_BYTES, nb, s);
                for (int t = t0; t < t1; t += 3) {
                    for (int bi = 0; bi < nb; bi++) {
                        tile4x3(s.q, bi * BLOCK_SHORTS, x.pairInts, (t * blocks + b0 + bi) * 16, 16 * blocks,
                                Math.min(3, t1 - t), s.sc, bi * G * L, x.scale, t * blocks + b0 + bi, blocks, racc,
                                (t - t0) * GROUP_ROWS);
                    }
                }
            }
            for (int t = t0; t < t1; t++) {
                System.arraycopy(racc, (t - t0) * GROUP_ROWS, out, t * rows + r0, rowsHere);
            }
        }
    }

    /**
     * nb group-blocks ([scale f32 x 4L][16 steps][4L code bytes], {@link Panels}) to the scratch. Per
     * step and panel the L code bytes lo + 16 hi become L ints lo | hi << 16, then L short pairs minus 8.
     */
    private static void decode(MemorySegment w, long at, int nb, Scratch s) {
        for (int bi = 0; bi < nb; bi++, at += Q4Kernels.GROUP_BLOCK_BYTES) {
            for (int p = 0; p < G; p++) {
                FloatVector.fromMemorySegment(F, w, at + 4L * p * L, LE).mul(0x1p-16f)
                        .intoArray(s.sc, (bi * G + p) * L);
            }
            long q = at + 4L * GROUP_ROWS;
            int d = bi * BLOCK_SHORTS;
            for (int j = 0; j < 16; j++, q += GROUP_ROWS) {
                for (int p = 0; p < G; p++, d += 2 * L) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, w, q + (long) p * L, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    v.and(0x0f).or(v.and(0xf0).lanewise(VectorOperators.LSHL, 12)).reinterpretAsShorts()
                            .sub((short) 8).intoArray(s.q, d);
                }
            }
        }
    }

    /**
     * One block, 4 panels x 1 to 3 tokens: 12 short accumulators, each folded straight from its
     * register into racc. Token i reads x[x0 + i*xs ..], its activation scale da[di + i*ds], and
     * accumulates into racc[r + i*GROUP_ROWS ..]; spare tokens repeat token 0 and are not folded.
     *
     * <p>Written out in full on purpose, and no wider. Accumulators carried across a nested loop were
     * boxed by C2; a helper for the broadcast pushed a 4 x 6 tile past C2's inlining node budget (the
     * vector operations after that point ran as boxed library calls, 10x slower); a 4 x 6 tile with
     * this fold was too big for C1 (out of virtual registers) and never reached C2. In L1 on one core,
     * two 4 x 3 calls ran 129-133 multiply-accumulates per ns, one 4 x 6 tile with the same fold
     * 116-120, and a 4 x 6 tile that stored its sums for a separate fold loop 85-106.
     */
    private static void tile4x3(short[] q, int qb, int[] x, int x0, int xs, int tokens, float[] sc, int si, float[] da,
            int di, int ds, float[] racc, int r) {
        int x1 = tokens > 1 ? x0 + xs : x0;
        int x2 = tokens > 2 ? x0 + 2 * xs : x0;
        ShortVector a00 = ShortVector.zero(S2), a01 = a00, a02 = a00, a03 = a00; // a<token><panel>
        ShortVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        ShortVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        for (int j = 0; j < 16; j++) {
            int qi = qb + j * G * 2 * L;
            ShortVector w0 = ShortVector.fromArray(S2, q, qi);
            ShortVector w1 = ShortVector.fromArray(S2, q, qi + 2 * L);
            ShortVector w2 = ShortVector.fromArray(S2, q, qi + 4 * L);
            ShortVector w3 = ShortVector.fromArray(S2, q, qi + 6 * L);
            ShortVector xv = IntVector.broadcast(I, x[x0 + j]).reinterpretAsShorts(); // (a[2j], a[2j+1]) in every pair
            a00 = a00.add(w0.mul(xv));
            a01 = a01.add(w1.mul(xv));
            a02 = a02.add(w2.mul(xv));
            a03 = a03.add(w3.mul(xv));
            xv = IntVector.broadcast(I, x[x1 + j]).reinterpretAsShorts();
            a10 = a10.add(w0.mul(xv));
            a11 = a11.add(w1.mul(xv));
            a12 = a12.add(w2.mul(xv));
            a13 = a13.add(w3.mul(xv));
            xv = IntVector.broadcast(I, x[x2 + j]).reinterpretAsShorts();
            a20 = a20.add(w0.mul(xv));
            a21 = a21.add(w1.mul(xv));
            a22 = a22.add(w2.mul(xv));
            a23 = a23.add(w3.mul(xv));
        }
        FloatVector d0 = FloatVector.fromArray(F, sc, si); // d * 2^-16 of the 4 panels
        FloatVector d1 = FloatVector.fromArray(F, sc, si + L);
        FloatVector d2 = FloatVector.fromArray(F, sc, si + 2 * L);
        FloatVector d3 = FloatVector.fromArray(F, sc, si + 3 * L);
        FloatVector da0 = FloatVector.broadcast(F, da[di]);
        ShortVector h00 = a00.add(a00.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
        ((FloatVector) h00.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d0.mul(da0),
                FloatVector.fromArray(F, racc, r)).intoArray(racc, r);
        ShortVector h01 = a01.add(a01.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
        ((FloatVector) h01.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d1.mul(da0),
                FloatVector.fromArray(F, racc, r + L)).intoArray(racc, r + L);
        ShortVector h02 = a02.add(a02.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
        ((FloatVector) h02.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d2.mul(da0),
                FloatVector.fromArray(F, racc, r + 2 * L)).intoArray(racc, r + 2 * L);
        ShortVector h03 = a03.add(a03.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
        ((FloatVector) h03.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d3.mul(da0),
                FloatVector.fromArray(F, racc, r + 3 * L)).intoArray(racc, r + 3 * L);
        if (tokens > 1) {
            FloatVector da1 = FloatVector.broadcast(F, da[di + ds]);
            int r1 = r + GROUP_ROWS;
            ShortVector h10 = a10.add(a10.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h10.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d0.mul(da1),
                    FloatVector.fromArray(F, racc, r1)).intoArray(racc, r1);
            ShortVector h11 = a11.add(a11.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h11.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d1.mul(da1),
                    FloatVector.fromArray(F, racc, r1 + L)).intoArray(racc, r1 + L);
            ShortVector h12 = a12.add(a12.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h12.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d2.mul(da1),
                    FloatVector.fromArray(F, racc, r1 + 2 * L)).intoArray(racc, r1 + 2 * L);
            ShortVector h13 = a13.add(a13.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h13.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d3.mul(da1),
                    FloatVector.fromArray(F, racc, r1 + 3 * L)).intoArray(racc, r1 + 3 * L);
        }
        if (tokens > 2) {
            FloatVector da2 = FloatVector.broadcast(F, da[di + 2 * ds]);
            int r2 = r + 2 * GROUP_ROWS;
            ShortVector h20 = a20.add(a20.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h20.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d0.mul(da2),
                    FloatVector.fromArray(F, racc, r2)).intoArray(racc, r2);
            ShortVector h21 = a21.add(a21.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h21.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d1.mul(da2),
                    FloatVector.fromArray(F, racc, r2 + L)).intoArray(racc, r2 + L);
            ShortVector h22 = a22.add(a22.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h22.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d2.mul(da2),
                    FloatVector.fromArray(F, racc, r2 + 2 * L)).intoArray(racc, r2 + 2 * L);
            ShortVector h23 = a23.add(a23.reinterpretAsInts().lanewise(ROR, 16).reinterpretAsShorts());
            ((FloatVector) h23.reinterpretAsInts().and(HIGH).convert(I2F, 0)).fma(d3.mul(da2),
                    FloatVector.fromArray(F, racc, r2 + 3 * L)).intoArray(racc, r2 + 3 * L);
        }
    }
}
