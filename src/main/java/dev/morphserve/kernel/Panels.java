package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.L;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The {@link TensorLayout#KERNEL_PANELS} layout of F16 / Q8_0 / Q4_0 weights, made once at load time
 * by {@link VectorKernels#prepare}: one vector lane = one row, so that a matmul is a sequence of
 * {@code acc[rows] += w[rows][k] * broadcast(x[k])} with no horizontal sums and one vector load of
 * weights per k.
 *
 * <pre>
 * panel = L consecutive rows (L = float lanes), group = G = 4 panels = 4L rows (the unit of work)
 * rows padded with zero rows to whole groups, columns with zero columns to whole blocks of 32
 *
 * data = [group g][block b] group-blocks of G * blockBytes each, so one group is one stream:
 *   Q8_0, F16: [panel p] panel-blocks of blockBytes each
 *     Q8_0: [scale f32 x L][32 steps e][L bytes]   byte l of step e = q[l][e]   (int8)
 *     F16 : [32 steps e][L halves]                 half l of step e = w[l][32b + e]
 *     where l is the row p*L + l of the group
 *   Q4_0: [scale f32 x 4L][16 steps j][4L bytes]   byte i of step j = q[i][2j] | q[i][2j+1] << 4
 *     where i is the row of the group: a step is one load for all 4 panels ({@link Q4Kernels})
 * q: the ggml codes (Q4_0: 0..15, value (q - 8) * d).
 * </pre>
 *
 * The scales are the blocks' f16 scales widened to f32 (exact), padding has scale 0 and codes 0.
 */
final class Panels {
    /** Panels per group. */
    static final int G = 4;
    /** Rows per group. */
    static final int GROUP_ROWS = G * L;

    private Panels() {}

    static boolean supports(GgmlType type) {
        return type == GgmlType.F16 || type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    static int groups(int rows) {
        return (rows + GROUP_ROWS - 1) / GROUP_ROWS;
    }

    static int blocks(int cols) {
        return (cols + 31) / 32;
    }

    /** Bytes of one panel-block (L rows x 32 columns). */
    static long blockBytes(GgmlType type) {
        return switch (type) {
            case Q4_0 -> 4L * L + 16L * L;
            case Q8_0 -> 4L * L + 32L * L;
            case F16 -> 64L * L;
            default -> throw new UnsupportedOperationException("no panel layout for " + type);
        };
    }

    /** Offset of group g's block b, panel 0. */
    static long offset(GgmlType type, int blocks, int g, int b) {
        return ((long) g * blocks + b) * G * blockBytes(type);
    }

    /**
     * Repacks a GGML-layout tensor; the groups are shared out over {@code pool}, or done on the
     * calling thread when it is null. The copy is freed when {@code arena} closes, or when
     * unreachable if {@code arena} is null.
     */
    static Tensor repack(Tensor w, WorkerPool pool, java.lang.foreign.Arena arena) {
        GgmlType type = w.type();
        int groups = groups(w.rows());
        int blocks = blocks(w.cols());
        long bb = blockBytes(type);
        MemorySegment dst = NativeMemory.allocateZeroed(groups * blocks * G * bb, arena);
        if (pool == null) {
            for (int g = 0; g < groups; g++) {
                repackGroup(w, g, blocks, dst);
            }
        } else {
            pool.run(groups, (g, worker) -> repackGroup(w, g, blocks, dst));
        }
        return new Tensor(w.name(), type, w.rows(), w.cols(), dst, TensorLayout.KERNEL_PANELS);
    }

    private static final ValueLayout.OfFloat F32LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static void repackGroup(Tensor w, int g, int blocks, MemorySegment dst) {
        GgmlType type = w.type();
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, w.rows() - r0);
        long rowBytes = w.rowBytes();
        byte[] src = new byte[(int) (rowsHere * rowBytes)]; // the group's rows, ggml layout
        MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, r0 * rowBytes, src, 0, src.length);
        long bb = blockBytes(type);
        byte[] out = new byte[(int) (blocks * G * bb)]; // [block][panel][bb]
        MemorySegment outSeg = MemorySegment.ofArray(out);
        for (int i = 0; i < rowsHere; i++) {
            int p = i / L;
            int l = i % L;
            int rs = (int) (i * rowBytes);
            for (int b = 0; b < blocks; b++) {
                int pb = (int) ((b * G + p) * bb); // this panel-block in out
                switch (type) {
                    case Q4_0 -> {
                        int s = rs + b * 18;
                        int gb = (int) (b * G * bb); // this group-block in out: rows interleaved whole-group
                        outSeg.set(F32LE, gb + 4L * i, Float.float16ToFloat(half(src, s)));
                        for (int j = 0; j < 16; j++) {
                            int lo = nibble(src, s + 2, 2 * j);
                            int hi = nibble(src, s + 2, 2 * j + 1);
                            out[gb + 4 * GROUP_ROWS + j * GROUP_ROWS + i] = (byte) (lo | hi << 4);
                        }
                    }
                    case Q8_0 -> {
                        int s = rs + b * 34;
                        outSeg.set(F32LE, pb + 4L * l, Float.float16ToFloat(half(src, s)));
                        for (int e = 0; e < 32; e++) {
                            out[pb + 4 * L + e * L + l] = src[s + 2 + e];
                        }
                    }
                    case F16 -> {
                        int n = Math.min(32, w.cols() - 32 * b);
                        for (int e = 0; e < n; e++) {
                            int s = rs + 2 * (32 * b + e);
                            int d = pb + 2 * (e * L + l);
                            out[d] = src[s];
                            out[d + 1] = src[s + 1];
                        }
                    }
                    default -> throw new UnsupportedOperationException("no panel layout for " + type);
                }
            }
        }
        MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, offset(type, blocks, g, 0), out.length);
    }

    private static short half(byte[] a, int i) {
        return (short) ((a[i] & 0xff) | a[i + 1] << 8);
    }

    /** Element e (0..31) of a Q4_0 block whose 16 code bytes start at {@code qs}. */
    private static int nibble(byte[] a, int qs, int e) {
        return e < 16 ? a[qs + e] & 0x0f : (a[qs + e - 16] >> 4) & 0x0f;
    }
}
