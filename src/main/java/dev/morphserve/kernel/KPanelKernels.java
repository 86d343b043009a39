package dev.morphserve.kernel;

import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Matmul of one {@link KPanels} group (4L rows) of Q6_K weights with float activations (Q4_K takes
 * {@link Q4Kernels} / {@link Q4Tiles} and {@link Q4_KKernels#offsets}): decode steps
 * straight from the codes ({@link Q6_KKernels#panelStep}), batches through an
 * L1 scratch of {@link PanelKernels#NB} blocks and the {@link PanelTiles} register tiles, the same operations
 * per (row, token) in the same order either way (batch invariance).
 *
 * <pre>
 * x    : [numTokens][cols]          cols a multiple of 256, no padding needed
 * out  : [numTokens][rows]
 * </pre>
 */
final class KPanelKernels {
    private static final int QK = KPanels.QK;

    private KPanelKernels() {}

    /** Per-thread buffers beside {@link PanelKernels.Scratch}'s. */
    static final class Scratch {
        final float[] res = new float[3 * GROUP_ROWS]; // decode step
        final float[] part = new float[GROUP_ROWS]; // Q6_K decode step: chains of a chunk; Q4_K offsets' c
        float[] oacc = new float[0]; // [numTokens][GROUP_ROWS] Q4_K offsets

        float[] oacc(int n) {
            if (oacc.length < n) {
                oacc = new float[n];
            }
            return oacc;
        }
    }

    /** Group g times every token. */
    static void group(GgmlType type, MemorySegment w, int rows, int cols, int g, float[] x, int numTokens,
            float[] out, PanelKernels.Scratch ps, Scratch ks) {
        int supers = cols / QK;
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, rows - r0);
        long base = KPanels.offset(type, supers, g, 0);
        if (numTokens == 1) {
            Q6_KKernels.panelStep(w, base, supers, x, ks.res, ks.part);
            System.arraycopy(ks.res, 0, out, r0, rowsHere);
            return;
        }
        float[] racc = ps.racc(numTokens * GROUP_ROWS);
        Arrays.fill(racc, 0, numTokens * GROUP_ROWS, 0f);
        long bytes = KPanels.superBytes(type);
        int nb = PanelKernels.NB;
        for (int c0 = 0; c0 < cols; c0 += 32 * nb) {
            long gs = base + (c0 / QK) * bytes;
            Q6_KKernels.panelChunk(w, gs, c0 % QK, ps.w);
            int t = 0;
            for (int k; (k = PanelKernels.tileTokens(numTokens - t)) >= 4; t += k) {
                PanelTiles.tile4x6F16(ps.w, nb, x, t * cols + c0, cols, k, racc, t * GROUP_ROWS, ps.blk);
            }
            for (; t < numTokens; t++) {
                PanelTiles.tile4x1F16(ps.w, nb, x, t * cols + c0, racc, t * GROUP_ROWS, ps.blk);
            }
        }
        for (int t = 0; t < numTokens; t++) {
            System.arraycopy(racc, t * GROUP_ROWS, out, t * rows + r0, rowsHere);
        }
    }
}
