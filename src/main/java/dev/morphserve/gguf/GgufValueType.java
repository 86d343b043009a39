package dev.morphserve.gguf;

/**
 * Metadata value types, numbered as the GGUF spec's {@code enum gguf_metadata_value_type}. The id
 * is what a file stores (uint32) before every value and inside every array header.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** gguf_string_t: uint64 length, then that many UTF-8 bytes (no terminator). */
    STRING(8, 0),
    /** uint32 element type, uint64 count, then the elements; arrays may nest. */
    ARRAY(9, 0),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int fixedSizeBytes;

    GgufValueType(int id, int fixedSizeBytes) {
        this.id = id;
        this.fixedSizeBytes = fixedSizeBytes;
    }

    public int id() {
        return id;
    }

    /** Bytes of one value of a fixed-size type; 0 for STRING and ARRAY, whose size varies. */
    public int fixedSizeBytes() {
        return fixedSizeBytes;
    }

    /**
     * The fewest bytes a value of this type can take in a file: the bound that lets the reader
     * reject a count that the rest of the file cannot possibly hold before allocating for it.
     */
    public int minEncodedBytes() {
        return switch (this) {
            case STRING -> 8; // the length, of an empty string
            case ARRAY -> 12; // element type + count, of an empty array
            default -> fixedSizeBytes;
        };
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this id, or {@code null} when the id is not in the spec. */
    public static GgufValueType byId(int id) {
        // ids are dense 0..12 and declared in order, so the ordinal is the id
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
