package dev.morphserve.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 12 bytes of 6-bit sub-block scales and mins shared by Q4_K and Q5_K (ggml's
 * {@code get_scale_min_k4} and its inverse in the reference quantizers).
 *
 * <pre>
 * 8 sub-blocks j, each a 6-bit scale s_j and a 6-bit min m_j:
 *   bytes 0..3  : s_j        (j = 0..3)  | top 2 bits of s_(j+4) << 6
 *   bytes 4..7  : m_j        (j = 0..3)  | top 2 bits of m_(j+4) << 6
 *   bytes 8..11 : low 4 bits of s_(j+4) | low 4 bits of m_(j+4) << 4
 * </pre>
 */
public final class KScales {
    /** Bytes of packed scales and mins per super-block. */
    public static final int BYTES = 12;
    /** Sub-blocks per super-block. */
    public static final int SUB_BLOCKS = 8;

    private KScales() {}

    /** The scale of sub-block {@code j} (0..63) from the packed bytes at {@code at}. */
    public static int scale(MemorySegment s, long at, int j) {
        if (j < 4) {
            return u8(s, at + j) & 63;
        }
        return (u8(s, at + j + 4) & 0xF) | ((u8(s, at + j - 4) >> 6) << 4);
    }

    /** The min of sub-block {@code j} (0..63). */
    public static int min(MemorySegment s, long at, int j) {
        if (j < 4) {
            return u8(s, at + j + 4) & 63;
        }
        return (u8(s, at + j + 4) >> 4) | ((u8(s, at + j) >> 6) << 4);
    }

    /** Packs {@code SUB_BLOCKS} scales and mins (each 0..63) into {@code dst[at..at+12)}. */
    static void pack(int[] scales, int[] mins, MemorySegment dst, long at) {
        byte[] b = new byte[BYTES];
        for (int j = 0; j < SUB_BLOCKS; j++) {
            int ls = scales[j];
            int lm = mins[j];
            if (j < 4) {
                b[j] = (byte) ls;
                b[j + 4] = (byte) lm;
            } else {
                b[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                b[j - 4] |= (byte) ((ls >> 4) << 6);
                b[j] |= (byte) ((lm >> 4) << 6);
            }
        }
        MemorySegment.copy(b, 0, dst, ValueLayout.JAVA_BYTE, at, BYTES);
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }
}
