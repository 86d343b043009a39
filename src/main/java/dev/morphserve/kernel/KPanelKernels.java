package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;
import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Matmul of one {@link KPanels} group (4L rows) of Q4_K or Q6_K weights with float activations: decode steps
 * straight from the codes ({@link Q4_KKernels#panelStep}, {@link Q6_KKernels#panelStep}), batches through an
 * L1 scratch of {@link PanelKernels#NB} blocks and the {@link PanelTiles} register tiles, the same operations
 * per (row, token) in the same order either way (batch invariance).
 *
 * <pre>
 * x    : [numTokens][cols]          cols a multiple of 256, no padding needed
 * xsum : [numTokens][cols/32]       Q4_K only: sums of each token's 32-column sub-blocks
 * out  : [numTokens][rows]
 * </pre>
 */
final class KPanelKernels {
    private static final int QK = KPanels.QK;

    private KPanelKernels() {}

    /** Per-thread buffers beside {@link PanelKernels.Scratch}'s. */
    static final class Scratch {
        final float[] res = new float[3 * GROUP_ROWS]; // decode step: acc | macc | a_k
        final float[] part = new float[GROUP_ROWS]; // Q6_K decode step: chains of a chunk
        float[] macc = new float[0]; // [numTokens][GROUP_ROWS] Q4_K min terms of a batch

        float[] macc(int n) {
            if (macc.length < n) {
                macc = new float[n];
            }
            return macc;
        }
    }

    /**
     * xsum[t][k] = x[t][32k] + ... + x[t][32k + 31], added left to right: Q4_K's min term per sub-block, the
     * same for a token whatever else is in the batch.
     */
    static void subBlockSums(float[] x, int numTokens, int cols, float[] xsum) {
        for (int i = 0; i < numTokens * cols / 32; i++) {
            float s = 0;
            for (int e = 32 * i; e < 32 * i + 32; e++) {
                s += x[e];
            }
            xsum[i] = s;
        }
    }

    /** Group g times every token. */
    static void group(GgmlType type, MemorySegment w, int rows, int cols, int g, float[] x, float[] xsum, int numTokens,
            float[] out, PanelKernels.Scratch ps, Scratch ks) {
        int supers = cols / QK;
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, rows - r0);
        long base = KPanels.offset(type, supers, g, 0);
        boolean q4 = type == GgmlType.Q4_K;
        if (numTokens == 1) {
            if (q4) {
                Q4_KKernels.panelStep(w, base, supers, x, xsum, ks.res);
                for (int i = 0; i < rowsHere; i++) {
                    out[r0 + i] = ks.res[i] - ks.res[GROUP_ROWS + i];
                }
            } else {
                Q6_KKernels.panelStep(w, base, supers, x, ks.res, ks.part);
                System.arraycopy(ks.res, 0, out, r0, rowsHere);
            }
            return;
        }
        float[] racc = ps.racc(numTokens * GROUP_ROWS);
        Arrays.fill(racc, 0, numTokens * GROUP_ROWS, 0f);
        long bytes = KPanels.superBytes(type);
        int nb = PanelKernels.NB;
        for (int c0 = 0; c0 < cols; c0 += 32 * nb) {
            long gs = base + (c0 / QK) * bytes;
            if (q4) {
                Q4_KKernels.panelChunk(w, gs, (c0 % QK) / 32, nb, ps.w, ps.sc);
            } else {
                Q6_KKernels.panelChunk(w, gs, c0 % QK, ps.w);
            }
            int t = 0;
            for (int k; (k = PanelKernels.tileTokens(numTokens - t)) >= 4; t += k) {
                if (q4) {
                    PanelTiles.tile4x6(ps.w, ps.sc, nb, x, t * cols + c0, cols, k, racc, t * GROUP_ROWS, ps.blk);
                } else {
                    PanelTiles.tile4x6F16(ps.w, nb, x, t * cols + c0, cols, k, racc, t * GROUP_ROWS, ps.blk);
                }
            }
            for (; t < numTokens; t++) {
                if (q4) {
                    PanelTiles.tile4x1(ps.w, ps.sc, nb, x, t * cols + c0, racc, t * GROUP_ROWS, ps.blk);
                } else {
                    PanelTiles.tile4x1F16(ps.w, nb, x, t * cols + c0, racc, t * GROUP_ROWS, ps.blk);
                }
            }
        }
        if (q4) {
            float[] macc = minTerms(w, base, supers, xsum, numTokens, ks);
            for (int i = 0; i < numTokens * GROUP_ROWS; i++) {
                racc[i] -= macc[i];
            }
        }
        for (int t = 0; t < numTokens; t++) {
            System.arraycopy(racc, t * GROUP_ROWS, out, t * rows + r0, rowsHere);
        }
    }

    /** macc[t][row] = fma(m1_k, xsum[t][k], macc) over the sub-blocks k in order, as the decode step. */
    private static float[] minTerms(MemorySegment w, long base, int supers, float[] xsum, int numTokens, Scratch ks) {
        float[] macc = ks.macc(numTokens * GROUP_ROWS);
        Arrays.fill(macc, 0, numTokens * GROUP_ROWS, 0f);
        int subs = QK / 32;
        long bytes = KPanels.superBytes(GgmlType.Q4_K);
        for (int s = 0; s < supers; s++) {
            long gs = base + s * bytes;
            for (int k = 0; k < subs; k++) {
                for (int p = 0; p < G; p++) {
                    FloatVector m1 = Q4_KKernels.m1(w, gs, k, p);
                    for (int t = 0; t < numTokens; t++) {
                        int r = t * GROUP_ROWS + p * L;
                        m1.fma(FloatVector.broadcast(F, xsum[t * supers * subs + s * subs + k]), FloatVector.fromArray(F, macc, r))
                                .intoArray(macc, r);
                    }
                }
            }
        }
        return macc;
    }
}
