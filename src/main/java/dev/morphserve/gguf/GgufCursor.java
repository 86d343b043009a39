package dev.morphserve.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A read position over the mapped file that never reads past its end: every read first checks
 * the bytes remaining and throws a {@link GgufFormatException} naming the offset, the field and
 * the context (which key or tensor is being read) instead of letting the segment throw
 * IndexOutOfBounds. GGUF is little-endian throughout.
 */
final class GgufCursor {
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort LE_16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble LE_F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Java arrays cannot be longer; a larger count in a file is corrupt for our purposes. */
    static final long MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    private final MemorySegment file;
    private final long fileSizeBytes;
    private long position;
    private String context = "header";

    GgufCursor(MemorySegment file) {
        this.file = file;
        this.fileSizeBytes = file.byteSize();
    }

    long position() {
        return position;
    }

    long remaining() {
        return fileSizeBytes - position;
    }

    long fileSizeBytes() {
        return fileSizeBytes;
    }

    /** What is being read, for error messages (e.g. "metadata key 'general.name'"). */
    void context(String context) {
        this.context = context;
    }

    String context() {
        return context;
    }

    GgufFormatException error(String message) {
        return new GgufFormatException(message + " (" + context + ", at byte offset " + position + ")");
    }

    /** Makes sure {@code n} more bytes exist; {@code what} names the field for the message. */
    void require(long n, String what) throws GgufFormatException {
        if (n < 0 || n > remaining()) {
            throw new GgufFormatException("truncated file: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n)
                    + " bytes at byte offset " + position + " but only " + remaining() + " remain, file is "
                    + fileSizeBytes + " bytes (" + context + ")");
        }
    }

    byte u8(String what) throws GgufFormatException {
        require(1, what);
        return file.get(U8, position++);
    }

    short u16(String what) throws GgufFormatException {
        require(2, what);
        short v = file.get(LE_16, position);
        position += 2;
        return v;
    }

    int u32(String what) throws GgufFormatException {
        require(4, what);
        int v = file.get(LE_32, position);
        position += 4;
        return v;
    }

    long u64(String what) throws GgufFormatException {
        require(8, what);
        long v = file.get(LE_64, position);
        position += 8;
        return v;
    }

    float f32(String what) throws GgufFormatException {
        return Float.intBitsToFloat(u32(what));
    }

    double f64(String what) throws GgufFormatException {
        return Double.longBitsToDouble(u64(what));
    }

    /**
     * A uint64 count of items that each take at least {@code minBytesPerItem} bytes: rejected
     * when the rest of the file could not hold that many, so that no allocation is ever sized by
     * an unchecked number from the file.
     */
    long count(String what, long minBytesPerItem) throws GgufFormatException {
        long at = position;
        long n = u64(what);
        long fits = minBytesPerItem == 0 ? Long.MAX_VALUE : remaining() / minBytesPerItem;
        if (n < 0 || n > fits || n > MAX_JAVA_ARRAY) {
            throw new GgufFormatException(what + " = " + Long.toUnsignedString(n) + " at byte offset " + at
                    + " is impossible: the " + remaining() + " bytes left in the file hold at most " + fits
                    + " items of " + minBytesPerItem + "+ bytes (" + context + ")");
        }
        return n;
    }

    /** A gguf_string_t: uint64 byte length, then UTF-8 bytes (malformed bytes become U+FFFD). */
    String string(String what) throws GgufFormatException {
        long at = position;
        long len = u64(what + " length");
        if (len < 0 || len > remaining() || len > MAX_JAVA_ARRAY) {
            throw new GgufFormatException("truncated or corrupt " + what + ": length " + Long.toUnsignedString(len)
                    + " at byte offset " + at + " but only " + remaining() + " bytes remain (" + context + ")");
        }
        return new String(bytes((int) len), StandardCharsets.UTF_8);
    }

    /** Copies {@code n} bytes (n already checked against the file) to the heap. */
    byte[] bytes(int n) throws GgufFormatException {
        require(n, "bytes");
        byte[] out = new byte[n];
        MemorySegment.copy(file, U8, position, out, 0, n);
        position += n;
        return out;
    }

    /** Copies a run of fixed-size elements (count already bounded) into a fresh array. */
    void copyTo(Object array, ValueLayout layout, int count, String what) throws GgufFormatException {
        long n = (long) count * layout.byteSize();
        require(n, what);
        switch (array) {
            case byte[] a -> MemorySegment.copy(file, U8, position, a, 0, count);
            case short[] a -> MemorySegment.copy(file, LE_16, position, a, 0, count);
            case int[] a -> MemorySegment.copy(file, LE_32, position, a, 0, count);
            case long[] a -> MemorySegment.copy(file, LE_64, position, a, 0, count);
            case float[] a -> MemorySegment.copy(file, LE_F32, position, a, 0, count);
            case double[] a -> MemorySegment.copy(file, LE_F64, position, a, 0, count);
            default -> throw new IllegalArgumentException(array.getClass().toString());
        }
        position += n;
    }
}
