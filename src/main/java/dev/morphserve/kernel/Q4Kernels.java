package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 {@link Panels} times 8-bit activations (ggml's vec_dot_q4_0_q8_0), in 16-bit integer lanes:
 * one short vector holds 2 panels (2L rows), so one multiply-add covers twice the rows of a float
 * fma and the 4-bit codes need no conversion to float.
 *
 * <pre>
 * per (row r, token t), for each block b of 32 columns in order:
 *   isum = sum_e (q[r][32b+e] - 8) * a[t][32b+e]      exact integer, |isum| <= 32 * 8 * 127 < 2^15
 *   acc  = fma((float) isum, d[r][b] * da[t][b], acc)  d: weight scale, da: activation scale
 * out[t][r] = acc
 * </pre>
 *
 * The integer sum is computed modulo 2^16 (short lanes wrap): its true value fits in a short, so the
 * wrapped result is exact. Per step j the code byte v = lo + 16 hi of elements 2j, 2j+1 is used
 * whole: {@code lo*a0 + hi*a1 = v*a0 + hi*(a1 - 16 a0)}, one mask fewer; the -8 offset is added once
 * per block as {@code -8 * sum(a)}. This is the decode step (one token); batches take
 * {@link Q4Tiles}, which get the same isum exactly and then the same two float operations, so
 * results are batch invariant.
 */
final class Q4Kernels {
    /** Shorts: 2L lanes = 2 panels. */
    static final VectorSpecies<Short> S2 = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 32));
    /** Bytes loaded per short vector (2L), zero-extended. */
    private static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 16));
    /** Bytes of one group-block: [scale f32 x 4L][16 steps][4L code bytes]. */
    static final long GROUP_BLOCK_BYTES = 4L * GROUP_ROWS + 16L * GROUP_ROWS;
    private static final long CODES = 4L * GROUP_ROWS; // offset of step 0 in a group-block

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q4Kernels() {}

    /**
     * Groups 2p and 2p + 1 times one token, their blocks interleaved: two memory streams per thread
     * instead of one kept more of the weights in flight (KernelBench decode, 7 back-to-back pairs:
     * 34.0 vs 31.6 tok/s, +8 %; the kernel is 2x faster from L2 than from memory). Batches go through
     * {@link Q4Tiles} (same isum, same fold). out: [rows]; two: [2 * 4L] scratch.
     */
    static void groupPair(MemorySegment w, int rows, int blocks, int pair, Q4Activations x, float[] out, float[] two,
            short[] sums) {
        int g0 = 2 * pair;
        int r0 = g0 * GROUP_ROWS;
        long at0 = (long) g0 * blocks * GROUP_BLOCK_BYTES;
        if (g0 + 1 >= Panels.groups(rows)) {
            x1(w, at0, blocks, x, 0, two, 0, sums);
            System.arraycopy(two, 0, out, r0, Math.min(GROUP_ROWS, rows - r0));
            return;
        }
        long at1 = at0 + blocks * GROUP_BLOCK_BYTES;
        java.util.Arrays.fill(two, 0, 2 * GROUP_ROWS, 0f);
        for (int b = 0; b < blocks; b++) {
            block(w, at0 + b * GROUP_BLOCK_BYTES, x, b, two, 0, sums);
            block(w, at1 + b * GROUP_BLOCK_BYTES, x, b, two, GROUP_ROWS, sums);
        }
        System.arraycopy(two, 0, out, r0, Math.min(2 * GROUP_ROWS, rows - r0));
    }

    private static ShortVector codes(MemorySegment w, long at) {
        return (ShortVector) ByteVector.fromMemorySegment(B2, w, at, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
    }

    /**
     * One token (index t of x), all blocks of one group, results to res[r .. r + 4L). The row sums
     * go through res block by block: carried in registers across the nested loop, C2 boxed them
     * (and the short sums with them) on every block, 3x slower.
     */
    static void x1(MemorySegment w, long at, int blocks, Q4Activations x, int t, float[] res, int r, short[] sums) {
        java.util.Arrays.fill(res, r, r + GROUP_ROWS, 0f);
        for (int b = 0; b < blocks; b++, at += GROUP_BLOCK_BYTES) {
            block(w, at, x, t * blocks + b, res, r, sums);
        }
    }

    /**
     * res[r + i] = fma(isum_i, d_i * da, res[r + i]) for the 4L rows i of one group-block. The integer
     * sums are widened through {@code sums} [4L]: S2F of the upper half of a short vector
     * ({@code convertShape} with part 1) compiled to a slow path, 42 vs 33 ns per group-block.
     */
    private static void block(MemorySegment w, long at, Q4Activations x, int xb, float[] res, int r, short[] sums) {
        short[] pairs = x.pairs;
        int p = xb * 32;
        ShortVector s0 = ShortVector.zero(S2);
        ShortVector s1 = s0;
        long q = at + CODES;
        for (int j = 0; j < 32; j += 2, q += GROUP_ROWS) {
            ShortVector a0 = ShortVector.broadcast(S2, pairs[p + j]);
            ShortVector a1 = ShortVector.broadcast(S2, pairs[p + j + 1]);
            ShortVector v0 = codes(w, q);
            ShortVector v1 = codes(w, q + 2 * L);
            s0 = s0.add(v0.mul(a0)).add(v0.lanewise(VectorOperators.LSHR, 4).mul(a1));
            s1 = s1.add(v1.mul(a0)).add(v1.lanewise(VectorOperators.LSHR, 4).mul(a1));
        }
        ShortVector c = ShortVector.broadcast(S2, x.corr[xb]);
        s0.add(c).intoArray(sums, 0);
        s1.add(c).intoArray(sums, 2 * L);
        FloatVector da = FloatVector.broadcast(F, x.scale[xb]);
        widen(sums, 0).fma(FloatVector.fromMemorySegment(F, w, at, LE).mul(da), FloatVector.fromArray(F, res, r))
                .intoArray(res, r);
        widen(sums, L).fma(FloatVector.fromMemorySegment(F, w, at + 4L * L, LE).mul(da),
                FloatVector.fromArray(F, res, r + L)).intoArray(res, r + L);
        widen(sums, 2 * L).fma(FloatVector.fromMemorySegment(F, w, at + 8L * L, LE).mul(da),
                FloatVector.fromArray(F, res, r + 2 * L)).intoArray(res, r + 2 * L);
        widen(sums, 3 * L).fma(FloatVector.fromMemorySegment(F, w, at + 12L * L, LE).mul(da),
                FloatVector.fromArray(F, res, r + 3 * L)).intoArray(res, r + 3 * L);
    }

    /** L integer sums from {@code sums[at..]} as floats (exact: |isum| < 2^15). */
    private static FloatVector widen(short[] sums, int at) {
        return (FloatVector) ShortVector.fromArray(Lanes.S, sums, at).convertShape(VectorOperators.S2F, F, 0);
    }
}
