package dev.morphserve.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the header, metadata and tensor table (everything before the data section) into a
 * growable little-endian heap buffer. That part is small even for a 150k-token vocab (a few MB);
 * tensor data never passes through here.
 */
final class GgufEncoder {
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private void ensure(long bytes) {
        if (buf.remaining() < bytes) {
            long needed = buf.position() + bytes;
            int capacity = (int) Math.min(GgufCursor.MAX_JAVA_ARRAY, Math.max(needed, 2L * buf.capacity()));
            if (capacity < needed) {
                throw new IllegalStateException("GGUF metadata larger than 2 GB");
            }
            ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(buf.flip());
            buf = bigger;
        }
    }

    long size() {
        return buf.position();
    }

    /** The encoded bytes, ready to be written. */
    ByteBuffer finish() {
        return buf.duplicate().flip();
    }

    void u8(byte v) {
        ensure(1);
        buf.put(v);
    }

    void u16(short v) {
        ensure(2);
        buf.putShort(v);
    }

    void u32(int v) {
        ensure(4);
        buf.putInt(v);
    }

    void u64(long v) {
        ensure(8);
        buf.putLong(v);
    }

    /** gguf_string_t: uint64 byte length, UTF-8 bytes. */
    void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        ensure(utf8.length);
        buf.put(utf8);
    }

    /** The value's bytes, without its type id (the caller writes that: kv or array header). */
    void value(GgufValue v) {
        switch (v.type()) {
            case UINT8, INT8 -> u8((Byte) v.value());
            case UINT16, INT16 -> u16((Short) v.value());
            case UINT32, INT32 -> u32((Integer) v.value());
            case UINT64, INT64 -> u64((Long) v.value());
            case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v.value()));
            case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v.value()));
            case BOOL -> u8((byte) ((Boolean) v.value() ? 1 : 0));
            case STRING -> string((String) v.value());
            case ARRAY -> array((GgufArray) v.value());
        }
    }

    /** uint32 element type, uint64 count, elements. */
    void array(GgufArray a) {
        u32(a.elementType().id());
        u64(a.size());
        switch (a.storage()) {
            case byte[] s -> {
                ensure(s.length);
                buf.put(s);
            }
            case short[] s -> {
                ensure(2L * s.length);
                for (short x : s) buf.putShort(x);
            }
            case int[] s -> {
                ensure(4L * s.length);
                for (int x : s) buf.putInt(x);
            }
            case long[] s -> {
                ensure(8L * s.length);
                for (long x : s) buf.putLong(x);
            }
            case float[] s -> {
                ensure(4L * s.length);
                for (float x : s) buf.putInt(Float.floatToRawIntBits(x));
            }
            case double[] s -> {
                ensure(8L * s.length);
                for (double x : s) buf.putLong(Double.doubleToRawLongBits(x));
            }
            case String[] s -> {
                for (String x : s) string(x);
            }
            case GgufArray[] s -> {
                for (GgufArray x : s) array(x);
            }
            default -> throw new IllegalStateException("unexpected array storage " + a.storage().getClass());
        }
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    void padTo(long alignment) {
        int pad = (int) (GgufParser.alignUp(buf.position(), alignment) - buf.position());
        ensure(pad);
        buf.put(new byte[pad]);
    }
}
