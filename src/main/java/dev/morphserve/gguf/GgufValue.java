package dev.morphserve.gguf;

import java.util.Objects;

/**
 * One typed metadata value. Integers keep their raw bits in the Java type of the same width
 * ({@code Byte} for UINT8/INT8, {@code Short}, {@code Integer}, {@code Long}) so that a value
 * read and written back is bit-identical whatever its signedness; {@link #longValue()} gives the
 * numeric value with unsigned types read as unsigned. FLOAT32 is {@code Float}, FLOAT64
 * {@code Double}, BOOL {@code Boolean}, STRING {@code String}, ARRAY {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = javaClassOf(type);
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(
                    type + " value must be a " + expected.getSimpleName() + ", got " + value.getClass().getSimpleName());
        }
    }

    static Class<?> javaClassOf(GgufValueType type) {
        return switch (type) {
            case UINT8, INT8 -> Byte.class;
            case UINT16, INT16 -> Short.class;
            case UINT32, INT32 -> Integer.class;
            case UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
    }

    public static GgufValue uint8(int v) {
        checkRange(v, 0, 0xFF, GgufValueType.UINT8);
        return new GgufValue(GgufValueType.UINT8, (byte) v);
    }

    public static GgufValue int8(byte v) {
        return new GgufValue(GgufValueType.INT8, v);
    }

    public static GgufValue uint16(int v) {
        checkRange(v, 0, 0xFFFF, GgufValueType.UINT16);
        return new GgufValue(GgufValueType.UINT16, (short) v);
    }

    public static GgufValue int16(short v) {
        return new GgufValue(GgufValueType.INT16, v);
    }

    public static GgufValue uint32(long v) {
        checkRange(v, 0, 0xFFFF_FFFFL, GgufValueType.UINT32);
        return new GgufValue(GgufValueType.UINT32, (int) v);
    }

    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    /** {@code rawBits} is read as unsigned: -1 stands for 2^64-1. */
    public static GgufValue uint64(long rawBits) {
        return new GgufValue(GgufValueType.UINT64, rawBits);
    }

    public static GgufValue int64(long v) {
        return new GgufValue(GgufValueType.INT64, v);
    }

    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, v);
    }

    public static GgufValue array(GgufArray v) {
        return new GgufValue(GgufValueType.ARRAY, v);
    }

    private static void checkRange(long v, long min, long max, GgufValueType type) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is out of range for " + type + " [" + min + ", " + max + "]");
        }
    }

    /**
     * The numeric value of an integer type, unsigned types read as unsigned.
     *
     * @throws ArithmeticException for a UINT64 above {@link Long#MAX_VALUE}
     * @throws IllegalStateException for a non-integer type
     */
    public long longValue() {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong((Byte) value);
            case UINT16 -> Short.toUnsignedLong((Short) value);
            case UINT32 -> Integer.toUnsignedLong((Integer) value);
            case INT8, INT16, INT32, INT64 -> ((Number) value).longValue();
            case UINT64 -> {
                long raw = (Long) value;
                if (raw < 0) {
                    throw new ArithmeticException(Long.toUnsignedString(raw) + " does not fit in a signed 64-bit long");
                }
                yield raw;
            }
            default -> throw new IllegalStateException(type + " is not an integer type");
        };
    }

    /** Any numeric value (integers and floats) as a double; UINT64 read as unsigned. */
    public double doubleValue() {
        return switch (type) {
            case FLOAT32, FLOAT64 -> ((Number) value).doubleValue();
            case UINT64 -> {
                long raw = (Long) value;
                yield raw >= 0 ? raw : Double.parseDouble(Long.toUnsignedString(raw));
            }
            default -> longValue();
        };
    }

    public GgufArray asArray() {
        if (type != GgufValueType.ARRAY) {
            throw new IllegalStateException(type + " is not an array");
        }
        return (GgufArray) value;
    }

    /** Human-readable value: unsigned types as unsigned, strings quoted, arrays abbreviated. */
    public String display(int maxArrayItems) {
        return switch (type) {
            case UINT8, UINT16, UINT32 -> Long.toString(longValue());
            case UINT64 -> Long.toUnsignedString((Long) value);
            case STRING -> quote((String) value);
            case ARRAY -> ((GgufArray) value).display(maxArrayItems);
            default -> value.toString();
        };
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public String toString() {
        return type + ":" + display(8);
    }
}
