package dev.morphserve.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A metadata array: one element type and a primitive-backed storage, so that a 32000-token vocab
 * is one {@code String[]} and its scores one {@code float[]} instead of 32000 boxed values.
 *
 * <pre>
 * element type        storage
 * UINT8, INT8, BOOL   byte[]   (BOOL as 0/1)
 * UINT16, INT16       short[]
 * UINT32, INT32       int[]    (raw bits; UINT32 read unsigned by get())
 * UINT64, INT64       long[]
 * FLOAT32 / FLOAT64   float[] / double[]
 * STRING              String[]
 * ARRAY               GgufArray[]   (nested arrays, each with its own element type)
 * </pre>
 *
 * Immutable: factories copy their input, accessors copy or wrap read-only.
 */
public final class GgufArray {
    private final GgufValueType elementType;
    private final Object storage;
    private final int size;

    private GgufArray(GgufValueType elementType, Object storage) {
        this.elementType = Objects.requireNonNull(elementType);
        this.storage = storage;
        this.size = java.lang.reflect.Array.getLength(storage);
    }

    /** Takes ownership of {@code storage} without copying: for the parser, which owns fresh arrays. */
    static GgufArray wrap(GgufValueType elementType, Object storage) {
        Class<?> expected = storageClassOf(elementType);
        if (storage.getClass() != expected) {
            throw new IllegalArgumentException(elementType + " array needs " + expected.getSimpleName() + " storage");
        }
        return new GgufArray(elementType, storage);
    }

    static Class<?> storageClassOf(GgufValueType type) {
        return switch (type) {
            case UINT8, INT8, BOOL -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    public static GgufArray ofUInt8(byte[] rawBits) { return wrap(GgufValueType.UINT8, rawBits.clone()); }
    public static GgufArray ofInt8(byte[] v) { return wrap(GgufValueType.INT8, v.clone()); }
    public static GgufArray ofUInt16(short[] rawBits) { return wrap(GgufValueType.UINT16, rawBits.clone()); }
    public static GgufArray ofInt16(short[] v) { return wrap(GgufValueType.INT16, v.clone()); }
    public static GgufArray ofUInt32(int[] rawBits) { return wrap(GgufValueType.UINT32, rawBits.clone()); }
    public static GgufArray ofInt32(int[] v) { return wrap(GgufValueType.INT32, v.clone()); }
    public static GgufArray ofUInt64(long[] rawBits) { return wrap(GgufValueType.UINT64, rawBits.clone()); }
    public static GgufArray ofInt64(long[] v) { return wrap(GgufValueType.INT64, v.clone()); }
    public static GgufArray ofFloat32(float[] v) { return wrap(GgufValueType.FLOAT32, v.clone()); }
    public static GgufArray ofFloat64(double[] v) { return wrap(GgufValueType.FLOAT64, v.clone()); }

    public static GgufArray ofBool(boolean[] v) {
        byte[] bits = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = (byte) (v[i] ? 1 : 0);
        }
        return wrap(GgufValueType.BOOL, bits);
    }

    public static GgufArray ofStrings(List<String> v) {
        String[] copy = v.toArray(new String[0]);
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], () -> "null string in array");
        }
        return wrap(GgufValueType.STRING, copy);
    }

    public static GgufArray ofArrays(List<GgufArray> v) {
        GgufArray[] copy = v.toArray(new GgufArray[0]);
        for (GgufArray a : copy) {
            Objects.requireNonNull(a, "null nested array");
        }
        return wrap(GgufValueType.ARRAY, copy);
    }

    /** Builds an array from boxed values, all of which must have {@code elementType}. */
    public static GgufArray of(GgufValueType elementType, List<GgufValue> values) {
        Object storage = java.lang.reflect.Array.newInstance(storageClassOf(elementType).componentType(), values.size());
        for (int i = 0; i < values.size(); i++) {
            GgufValue v = values.get(i);
            if (v.type() != elementType) {
                throw new IllegalArgumentException("element " + i + " is " + v.type() + ", array holds " + elementType);
            }
            Object element = elementType == GgufValueType.BOOL ? (Object) (byte) ((Boolean) v.value() ? 1 : 0) : v.value();
            java.lang.reflect.Array.set(storage, i, element);
        }
        return new GgufArray(elementType, storage);
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int size() {
        return size;
    }

    /** Backing storage for the writer; callers must not modify it. */
    Object storage() {
        return storage;
    }

    public GgufValue get(int i) {
        Objects.checkIndex(i, size);
        return switch (elementType) {
            case BOOL -> GgufValue.bool(((byte[]) storage)[i] != 0);
            default -> new GgufValue(elementType, java.lang.reflect.Array.get(storage, i));
        };
    }

    /** Every element boxed; allocates, so prefer the typed accessors for large arrays. */
    public List<GgufValue> values() {
        List<GgufValue> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(get(i));
        }
        return Collections.unmodifiableList(out);
    }

    /** A read-only view of a STRING array (no copy of the 32000 pieces of a vocab). */
    public List<String> strings() {
        requireType(GgufValueType.STRING);
        return Collections.unmodifiableList(Arrays.asList((String[]) storage));
    }

    private void requireType(GgufValueType t) {
        if (elementType != t) {
            throw new IllegalStateException("array of " + elementType + ", not of " + t);
        }
    }

    /** Elements of a FLOAT32 or FLOAT64 array as floats (a copy). */
    public float[] toFloatArray() {
        if (elementType == GgufValueType.FLOAT32) {
            return ((float[]) storage).clone();
        }
        requireType(GgufValueType.FLOAT64);
        double[] d = (double[]) storage;
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /**
     * Elements of an integer array as ints (a copy).
     *
     * @throws ArithmeticException naming the index of the first element that does not fit
     */
    public int[] toIntArray() {
        if (elementType == GgufValueType.INT32) {
            return ((int[]) storage).clone();
        }
        if (!elementType.isInteger()) {
            throw new IllegalStateException("array of " + elementType + ", not of integers");
        }
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            long v = get(i).longValue();
            if (v != (int) v) {
                throw new ArithmeticException("element " + i + " = " + v + " does not fit in an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** Up to {@code maxItems} elements then the count, e.g. {@code [STRING x512: "<unk>", "<s>", ...]}. */
    public String display(int maxItems) {
        StringBuilder sb = new StringBuilder("[").append(elementType).append(" x").append(size);
        int shown = Math.min(size, Math.max(0, maxItems));
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? ": " : ", ").append(get(i).display(maxItems));
        }
        if (shown < size) {
            sb.append(shown == 0 ? "" : ", ...");
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufArray other) || other.elementType != elementType) {
            return false;
        }
        return Arrays.deepEquals(new Object[] {storage}, new Object[] {other.storage});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {storage});
    }

    @Override
    public String toString() {
        return display(8);
    }
}
