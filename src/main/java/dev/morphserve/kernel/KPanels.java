package dev.morphserve.kernel;

import static dev.morphserve.kernel.Panels.GROUP_ROWS;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.tensor.KScales;
import dev.morphserve.tensor.Q4_KCodec;
import dev.morphserve.tensor.Q6_KCodec;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The {@link TensorLayout#KERNEL_PANELS} layout of Q4_K and Q6_K weights, made once at load time by
 * {@link VectorKernels#prepare}: as {@link Panels}, one vector lane = one row, groups of G panels (4L rows,
 * the unit of work), rows padded with zero rows; one group-super-block per 256 columns.
 *
 * <pre>
 * data = [group g][super-block s] of superBytes(type) each; i = row of the group (panel i / L, lane i % L)
 *   Q6_K: [d f32 x 4L][scales i8 [16][4L]][codes i8 [256 columns][4L]]     code = q - 32
 *         weight = (d*scale_(c/16)) * code
 * </pre>
 *
 * Q4_K: two regions. First the {@link Panels} Q4_0 layout with d1 = d*s_k as each 32-block's scale, so that
 * {@link Q4Kernels} / {@link Q4Tiles} form d1 * sum (q - 8) * qx; then, at {@link #q4kMinRegion}, per group and
 * super-block [dmin f32 x 4L][m u8 [8][4L]] for {@link Q4_KKernels#offsets} (the 8 * d1 and dmin*m terms):
 * <pre>
 *   main: [group g][block b][d1 f32 x 4L][16 steps j][4L bytes]   byte i of step j = q[i][2j] | q[i][2j+1] << 4
 *   mins: [group g][super s][dmin f32 x 4L][m u8 [8][4L]]
 * </pre>
 * 172 bytes per row and super-block for Q4_K (ggml: 144), 276 for Q6_K (ggml: 210: its 6-bit codes
 * are stored whole, one load and one conversion per column instead of two loads and four bit operations).
 * The f16 scales are widened to f32 exactly; sub-block scales stay small integers, so every weight the
 * kernels form from them is ggml's float bit for bit.
 */
final class KPanels {
    static final int QK = GgmlType.Q4_K.blockSize();
    /** Q4_K: offset of m in a group-super-block of the min region, and that block's bytes. */
    static final long Q4K_M = 4L * GROUP_ROWS;
    static final long Q4K_MIN_BYTES = Q4K_M + (long) KScales.SUB_BLOCKS * GROUP_ROWS;
    /** Q6_K: offsets in a group-super-block. */
    static final long Q6K_SC = 4L * GROUP_ROWS;
    static final long Q6K_CODES = Q6K_SC + (QK / 16L) * GROUP_ROWS;

    private static final ValueLayout.OfFloat F32LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KPanels() {}

    static boolean supports(GgmlType type) {
        return type == GgmlType.Q4_K || type == GgmlType.Q6_K;
    }

    /** Q4_K: where the min region starts (after the Q4_0-style main region). */
    static long q4kMinRegion(int rows, int cols) {
        return (long) Panels.groups(rows) * (cols / 32) * Q4Kernels.GROUP_BLOCK_BYTES;
    }

    /** Bytes of one group-super-block (Q6_K; Q4_K: of its min region). */
    static long superBytes(GgmlType type) {
        return switch (type) {
            case Q4_K -> Q4K_MIN_BYTES;
            case Q6_K -> Q6K_CODES + (long) QK * GROUP_ROWS;
            default -> throw new UnsupportedOperationException("no K panel layout for " + type);
        };
    }

    /** Offset of group g, super-block s. */
    static long offset(GgmlType type, int supers, int g, int s) {
        return ((long) g * supers + s) * superBytes(type);
    }

    /** Repacks a GGML-layout tensor, the groups shared out over {@code pool} (or on this thread when null). */
    static Tensor repack(Tensor w, WorkerPool pool, java.lang.foreign.Arena arena) {
        GgmlType type = w.type();
        int groups = Panels.groups(w.rows());
        int supers = w.cols() / QK;
        long size = groups * supers * superBytes(type);
        if (type == GgmlType.Q4_K) {
            size += q4kMinRegion(w.rows(), w.cols());
        }
        MemorySegment dst = NativeMemory.allocateZeroed(size, arena);
        if (pool == null) {
            for (int g = 0; g < groups; g++) {
                repackGroup(w, g, supers, dst);
            }
        } else {
            pool.run(groups, (g, worker) -> repackGroup(w, g, supers, dst));
        }
        return new Tensor(w.name(), type, w.rows(), w.cols(), dst, TensorLayout.KERNEL_PANELS);
    }

    private static void repackGroup(Tensor w, int g, int supers, MemorySegment dst) {
        GgmlType type = w.type();
        int r0 = g * GROUP_ROWS;
        int rowsHere = Math.min(GROUP_ROWS, w.rows() - r0);
        long bytes = superBytes(type);
        byte[] out = new byte[(int) (supers * bytes)]; // [super-block][bytes]
        MemorySegment o = MemorySegment.ofArray(out);
        MemorySegment src = w.data();
        if (type == GgmlType.Q4_K) {
            int blocks = w.cols() / 32;
            byte[] main = new byte[(int) (blocks * Q4Kernels.GROUP_BLOCK_BYTES)]; // [block][bytes]
            MemorySegment m = MemorySegment.ofArray(main);
            for (int i = 0; i < rowsHere; i++) {
                for (int s = 0; s < supers; s++) {
                    repackQ4K(src, (r0 + i) * w.rowBytes() + (long) s * type.typeSize(), m, s, o, s * bytes, i);
                }
            }
            MemorySegment.copy(main, 0, dst, ValueLayout.JAVA_BYTE, (long) g * main.length, main.length);
            MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE,
                    q4kMinRegion(w.rows(), w.cols()) + offset(type, supers, g, 0), out.length);
            return;
        }
        for (int i = 0; i < rowsHere; i++) {
            for (int s = 0; s < supers; s++) {
                long blk = (r0 + i) * w.rowBytes() + (long) s * type.typeSize();
                long gs = s * bytes;
                repackQ6K(src, blk, o, gs, i);
            }
        }
        MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, offset(type, supers, g, 0), out.length);
    }

    /**
     * Row i of super-block s: its 8 blocks to the main region m (d1 = d*s_k, ggml's float product; codes),
     * dmin and m_k to the min region o at gs.
     */
    private static void repackQ4K(MemorySegment src, long blk, MemorySegment m, int s, MemorySegment o, long gs, int i) {
        float d = Float.float16ToFloat(src.get(WeightDequant.I16, blk));
        o.set(F32LE, gs + 4L * i, Float.float16ToFloat(src.get(WeightDequant.I16, blk + 2)));
        for (int k = 0; k < KScales.SUB_BLOCKS; k++) {
            long gb = (long) (s * KScales.SUB_BLOCKS + k) * Q4Kernels.GROUP_BLOCK_BYTES;
            m.set(F32LE, gb + 4L * i, d * KScales.scale(src, blk + Q4_KCodec.SCALES, k));
            o.set(ValueLayout.JAVA_BYTE, gs + Q4K_M + (long) k * GROUP_ROWS + i,
                    (byte) KScales.min(src, blk + Q4_KCodec.SCALES, k));
            for (int j = 0; j < 16; j++) {
                int lo = nibble(src, blk, 32 * k + 2 * j);
                int hi = nibble(src, blk, 32 * k + 2 * j + 1);
                m.set(ValueLayout.JAVA_BYTE, gb + 4L * GROUP_ROWS + (long) j * GROUP_ROWS + i, (byte) (lo | hi << 4));
            }
        }
    }

    /** Code (0..15) of element e of the ggml Q4_K block at blk: chunk e / 64, low nibbles first. */
    private static int nibble(MemorySegment src, long blk, int e) {
        int b = src.get(ValueLayout.JAVA_BYTE, blk + Q4_KCodec.QS + 32 * (e / 64) + e % 32) & 0xff;
        return (e % 64) < 32 ? b & 0xF : b >> 4;
    }

    private static void repackQ6K(MemorySegment src, long blk, MemorySegment o, long gs, int i) {
        o.set(F32LE, gs + 4L * i, Float.float16ToFloat(src.get(WeightDequant.I16, blk + Q6_KCodec.D)));
        for (int k = 0; k < QK / 16; k++) {
            o.set(ValueLayout.JAVA_BYTE, gs + Q6K_SC + (long) k * GROUP_ROWS + i,
                    src.get(ValueLayout.JAVA_BYTE, blk + Q6_KCodec.SCALES + k));
        }
        for (int e = 0; e < QK; e++) {
            o.set(ValueLayout.JAVA_BYTE, gs + Q6K_CODES + (long) e * GROUP_ROWS + i, (byte) (Q6_KCodec.code(src, blk, e) - 32));
        }
    }
}
