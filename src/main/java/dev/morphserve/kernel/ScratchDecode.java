package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.Panels.G;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Decodes a chunk of {@link PanelKernels#NB} group-blocks of {@link Panels} data to floats in an L1
 * scratch, for {@link PanelKernels}' register tiles.
 *
 * <pre>
 * dst: [nb][G][32][L] codes as floats (F16: [G][nb*32][L], the weights)   sc: [nb][G][L] block scales (not F16)
 * </pre>
 */
final class ScratchDecode {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private ScratchDecode() {}

    /** Decodes the chunk to {@code dst}, its block scales to {@code sc} (F16 has none). */
    static void chunk(GgmlType type, MemorySegment w, long at, long bb, int nb, float[] dst, float[] sc) {
        switch (type) {
            case Q8_0 -> decodeQ8(w, at, bb, nb, dst, sc);
            case F16 -> decodeF16(w, at, bb, nb, dst);
            default -> throw new UnsupportedOperationException("no panel kernel for " + type);
        }
    }

    private static void decodeQ8(MemorySegment w, long at, long bb, int nb, float[] dst, float[] sc) {
        for (int i = 0; i < nb * G; i++, at += bb) {
            FloatVector.fromMemorySegment(F, w, at, LE).intoArray(sc, i * L);
            int d = i * 32 * L;
            long q = at + 4L * L;
            for (int e = 0; e < 32; e++) {
                codes8(w, q + (long) e * L).intoArray(dst, d + e * L);
            }
        }
    }

    /**
     * F16 panel-blocks to [G][nb*32][L]: each panel's columns of the chunk back to back, so a tile runs
     * one fma chain over the whole chunk ({@link PanelTiles#tile4x6F16}). The inner loop is what C2
     * compiles to vcvtph2ps (measured ~40 halves/ns from L1).
     */
    private static void decodeF16(MemorySegment w, long at, long bb, int nb, float[] dst) {
        int n = 32 * L;
        for (int p = 0; p < G; p++) {
            for (int bi = 0; bi < nb; bi++) {
                long src = at + (bi * G + p) * bb;
                int d = (p * nb + bi) * n;
                for (int i = 0; i < n; i++) {
                    dst[d + i] = Float.float16ToFloat(w.get(I16, src + 2L * i));
                }
            }
        }
    }

    static FloatVector codes8(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }
}
