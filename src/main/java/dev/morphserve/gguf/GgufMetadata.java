package dev.morphserve.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order and immutable. The typed getters are
 * lenient where no information is lost (an int key may be stored as UINT32, INT64, UINT8, ...;
 * a float key as FLOAT64 or an integer) and strict otherwise: a missing key, a value of another
 * kind or one that does not fit throws a {@link GgufMetadataException} naming the key.
 */
public final class GgufMetadata {
    private final Map<String, GgufValue> entries;

    GgufMetadata(LinkedHashMap<String, GgufValue> entries, boolean takeOwnership) {
        this.entries = Collections.unmodifiableMap(takeOwnership ? entries : new LinkedHashMap<>(entries));
    }

    /** Metadata from a map, keeping its iteration order. */
    public static GgufMetadata of(Map<String, GgufValue> entries) {
        return new GgufMetadata(new LinkedHashMap<>(entries), true);
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    /** The entries in file order, read-only. */
    public Map<String, GgufValue> asMap() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    private GgufValue require(String key, String expected) {
        GgufValue v = entries.get(key);
        if (v == null) {
            throw new GgufMetadataException("metadata key '" + key + "' is missing; expected " + expected);
        }
        return v;
    }

    private static GgufMetadataException wrongType(String key, GgufValue v, String expected) {
        String got = v.type() == GgufValueType.ARRAY
                ? "an array of " + v.asArray().elementType()
                : v.type() + " " + v.display(4);
        return new GgufMetadataException("metadata key '" + key + "' holds " + got + "; expected " + expected);
    }

    public String getString(String key) {
        GgufValue v = require(key, "a STRING");
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, v, "a STRING");
        }
        return (String) v.value();
    }

    /** The string, or empty when the key is absent; a present key of another type still throws. */
    public Optional<String> findString(String key) {
        return has(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public long getLong(String key) {
        GgufValue v = require(key, "an integer");
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        try {
            return v.longValue();
        } catch (ArithmeticException e) {
            throw new GgufMetadataException("metadata key '" + key + "' = " + v.display(0) + " does not fit in a long");
        }
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v != (int) v) {
            throw new GgufMetadataException("metadata key '" + key + "' = " + entries.get(key).display(0)
                    + " (" + entries.get(key).type() + ") does not fit in an int");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    public float getFloat(String key) {
        GgufValue v = require(key, "a number");
        if (!v.type().isInteger() && v.type() != GgufValueType.FLOAT32 && v.type() != GgufValueType.FLOAT64) {
            throw wrongType(key, v, "a number");
        }
        return (float) v.doubleValue();
    }

    public float getFloat(String key, float defaultValue) {
        return has(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        GgufValue v = entries.get(key);
        if (v.type() != GgufValueType.BOOL) {
            throw wrongType(key, v, "a BOOL");
        }
        return (Boolean) v.value();
    }

    private GgufArray requireArray(String key, String expected) {
        GgufValue v = require(key, expected);
        if (v.type() != GgufValueType.ARRAY) {
            throw wrongType(key, v, expected);
        }
        return v.asArray();
    }

    /** A read-only view of a STRING array: no copy of the pieces. */
    public List<String> getStringArray(String key) {
        GgufArray a = requireArray(key, "an array of STRING");
        if (a.elementType() != GgufValueType.STRING) {
            throw wrongType(key, GgufValue.array(a), "an array of STRING");
        }
        return a.strings();
    }

    public float[] getFloatArray(String key) {
        GgufArray a = requireArray(key, "an array of FLOAT32");
        if (a.elementType() != GgufValueType.FLOAT32 && a.elementType() != GgufValueType.FLOAT64) {
            throw wrongType(key, GgufValue.array(a), "an array of FLOAT32");
        }
        return a.toFloatArray();
    }

    public int[] getIntArray(String key) {
        GgufArray a = requireArray(key, "an array of integers");
        if (!a.elementType().isInteger()) {
            throw wrongType(key, GgufValue.array(a), "an array of integers");
        }
        try {
            return a.toIntArray();
        } catch (ArithmeticException e) {
            throw new GgufMetadataException("metadata key '" + key + "': " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufMetadata m && List.copyOf(entries.entrySet()).equals(List.copyOf(m.entries.entrySet()));
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "GgufMetadata" + entries.keySet();
    }
}
