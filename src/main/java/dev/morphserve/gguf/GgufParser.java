package dev.morphserve.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Parses the GGUF layout, in the order and with the names of the spec
 * (ggml/docs/gguf.md):
 *
 * <pre>
 * gguf_header_t      magic "GGUF" | uint32 version | uint64 tensor_count | uint64 metadata_kv_count
 * gguf_metadata_kv_t [metadata_kv_count]   gguf_string_t key | uint32 value_type | value
 * gguf_tensor_info_t [tensor_count]        gguf_string_t name | uint32 n_dimensions
 *                                          | uint64 dimensions[n_dimensions] | uint32 type | uint64 offset
 * padding            to ALIGNMENT (general.alignment, default 32)
 * tensor_data        each tensor at data_start + offset, offsets multiples of ALIGNMENT
 * </pre>
 *
 * Version 2 and 3 share this layout (v3 only added big-endian files, which we refuse); version 1
 * used 32-bit counts and lengths and is refused. Nothing is trusted: every count is bounded by
 * the bytes left before anything is allocated for it, and every tensor range is checked against
 * the file.
 */
final class GgufParser {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    static final long DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** Real files nest at most one level; the bound keeps a crafted file from overflowing the stack. */
    static final int MAX_ARRAY_NESTING = 16;
    /** Smallest tensor info: empty name, n_dimensions, one dim, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
    /** Smallest kv: empty key, value type, a one-byte value. */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;

    record Layout(
            int version, long alignment, GgufMetadata metadata, List<GgufTensorInfo> tensors, long dataSectionOffset) {}

    private final GgufCursor in;

    private GgufParser(MemorySegment file) {
        this.in = new GgufCursor(file);
    }

    static Layout parse(MemorySegment file) throws GgufFormatException {
        return new GgufParser(file).parse();
    }

    private Layout parse() throws GgufFormatException {
        // gguf_header_t
        in.context("header");
        int magic = in.u32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException("not a GGUF file: magic at byte offset 0 is " + describeMagic(magic)
                    + ", expected \"GGUF\"");
        }
        int version = readVersion();
        long tensorCount = in.count("tensor_count", MIN_TENSOR_INFO_BYTES);
        long kvCount = in.count("metadata_kv_count", MIN_KV_BYTES);

        // gguf_metadata_kv_t[metadata_kv_count]
        LinkedHashMap<String, GgufValue> kvs = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            in.context("metadata kv #" + i);
            String key = in.string("key");
            in.context("metadata key '" + key + "'");
            if (kvs.containsKey(key)) {
                throw in.error("duplicate metadata key '" + key + "'");
            }
            kvs.put(key, readValue(readValueType("value_type"), 0));
        }
        GgufMetadata metadata = new GgufMetadata(kvs, true);
        long alignment = alignmentOf(metadata);

        // gguf_tensor_info_t[tensor_count]
        List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            in.context("tensor info #" + i);
            GgufTensorInfo info = readTensorInfo(alignment);
            if (!names.add(info.name())) {
                throw in.error("duplicate tensor name '" + info.name() + "'");
            }
            tensors.add(info);
        }

        // padding, then tensor_data
        long dataSectionOffset = alignUp(in.position(), alignment);
        checkDataRanges(tensors, dataSectionOffset);
        return new Layout(version, alignment, metadata, List.copyOf(tensors), dataSectionOffset);
    }

    private int readVersion() throws GgufFormatException {
        int version = in.u32("version");
        if (version == 2 || version == 3) {
            return version;
        }
        if (version == 1) {
            throw new GgufFormatException("GGUF version 1 (32-bit counts, 2023 pre-release) is not supported;"
                    + " re-convert the model with a current llama.cpp (version field at byte offset 4)");
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped >= 1 && swapped <= 3) {
            throw new GgufFormatException("big-endian GGUF (version " + swapped + " byte-swapped at byte offset 4)"
                    + " is not supported; use a little-endian file");
        }
        throw new GgufFormatException("GGUF version " + Integer.toUnsignedString(version)
                + " at byte offset 4 is not supported (this reader knows versions 2 and 3)");
    }

    private GgufValueType readValueType(String what) throws GgufFormatException {
        long at = in.position();
        int id = in.u32(what);
        GgufValueType type = GgufValueType.byId(id);
        if (type == null) {
            throw new GgufFormatException(in.context() + " has " + what + " id " + Integer.toUnsignedString(id)
                    + ", unknown (valid: 0..12) at byte offset " + at);
        }
        return type;
    }

    private GgufValue readValue(GgufValueType type, int depth) throws GgufFormatException {
        return switch (type) {
            case UINT8, INT8 -> new GgufValue(type, in.u8("value"));
            case UINT16, INT16 -> new GgufValue(type, in.u16("value"));
            case UINT32, INT32 -> new GgufValue(type, in.u32("value"));
            case UINT64, INT64 -> new GgufValue(type, in.u64("value"));
            case FLOAT32 -> GgufValue.float32(in.f32("value"));
            case FLOAT64 -> GgufValue.float64(in.f64("value"));
            case BOOL -> GgufValue.bool(in.u8("value") != 0);
            case STRING -> GgufValue.string(in.string("string value"));
            case ARRAY -> GgufValue.array(readArray(depth));
        };
    }

    /** uint32 element type, uint64 count, elements; nested arrays recurse. */
    private GgufArray readArray(int depth) throws GgufFormatException {
        if (depth >= MAX_ARRAY_NESTING) {
            throw in.error("arrays nested deeper than " + MAX_ARRAY_NESTING + " levels");
        }
        GgufValueType elementType = readValueType("array element type");
        int count = (int) in.count("array length", elementType.minEncodedBytes());
        Object storage = switch (elementType) {
            case UINT8, INT8, BOOL -> copy(new byte[count], ValueLayout.JAVA_BYTE, count);
            case UINT16, INT16 -> copy(new short[count], ValueLayout.JAVA_SHORT, count);
            case UINT32, INT32 -> copy(new int[count], ValueLayout.JAVA_INT, count);
            case UINT64, INT64 -> copy(new long[count], ValueLayout.JAVA_LONG, count);
            case FLOAT32 -> copy(new float[count], ValueLayout.JAVA_FLOAT, count);
            case FLOAT64 -> copy(new double[count], ValueLayout.JAVA_DOUBLE, count);
            case STRING -> {
                String[] strings = new String[count];
                for (int i = 0; i < count; i++) {
                    strings[i] = in.string("array string");
                }
                yield strings;
            }
            case ARRAY -> {
                GgufArray[] nested = new GgufArray[count];
                for (int i = 0; i < count; i++) {
                    nested[i] = readArray(depth + 1);
                }
                yield nested;
            }
        };
        if (elementType == GgufValueType.BOOL) {
            normalizeBools((byte[]) storage);
        }
        return GgufArray.wrap(elementType, storage);
    }

    private Object copy(Object array, ValueLayout layout, int count) throws GgufFormatException {
        in.copyTo(array, layout, count, "array elements");
        return array;
    }

    /** Any non-zero byte is true, as in C; stored as 1 so that equal arrays compare equal. */
    private static void normalizeBools(byte[] bits) {
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (bits[i] != 0 ? 1 : 0);
        }
    }

    private long alignmentOf(GgufMetadata metadata) throws GgufFormatException {
        GgufValue v = metadata.get(ALIGNMENT_KEY).orElse(null);
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        // The spec says uint32; any integer type with a sane value is accepted.
        long alignment = v.type().isInteger() && (v.type() != GgufValueType.UINT64 || (Long) v.value() >= 0)
                ? v.longValue()
                : -1;
        if (alignment <= 0 || alignment > (1L << 30) || Long.bitCount(alignment) != 1) {
            throw new GgufFormatException("metadata key '" + ALIGNMENT_KEY + "' = " + v.display(2) + " (" + v.type()
                    + ") is not a power of two between 1 and 2^30");
        }
        return alignment;
    }

    private GgufTensorInfo readTensorInfo(long alignment) throws GgufFormatException {
        String name = in.string("tensor name");
        in.context("tensor '" + name + "'");
        long at = in.position();
        int nDims = in.u32("n_dimensions");
        if (nDims < 1 || nDims > GgufTensorInfo.MAX_DIMS) {
            throw new GgufFormatException("tensor '" + name + "' has n_dimensions " + Integer.toUnsignedString(nDims)
                    + " at byte offset " + at + ", need 1.." + GgufTensorInfo.MAX_DIMS);
        }
        long[] ne = new long[nDims];
        for (int d = 0; d < nDims; d++) {
            at = in.position();
            ne[d] = in.u64("dimensions[" + d + "]");
            if (ne[d] <= 0) {
                throw new GgufFormatException("tensor '" + name + "' has dimension ne[" + d + "] = "
                        + Long.toUnsignedString(ne[d]) + " at byte offset " + at + ", must be positive");
            }
        }
        at = in.position();
        int typeId = in.u32("type");
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new GgufFormatException("tensor '" + name + "' has ggml type id " + Integer.toUnsignedString(typeId)
                    + ", unknown (at byte offset " + at + ")");
        }
        at = in.position();
        long offset = in.u64("offset");
        if (offset < 0 || offset % alignment != 0) {
            throw new GgufFormatException("tensor '" + name + "' has data offset " + Long.toUnsignedString(offset)
                    + " at byte offset " + at + ", not a multiple of the alignment " + alignment);
        }
        GgufTensorInfo info = new GgufTensorInfo(name, ne, type, offset);
        try {
            info.byteSize(); // rejects a shape that overflows or does not split into blocks, here rather than later
        } catch (ArithmeticException e) {
            throw new GgufFormatException("tensor '" + name + "' shape " + java.util.Arrays.toString(ne) + " of " + type
                    + " overflows a 64-bit byte count");
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(e.getMessage());
        }
        return info;
    }

    private void checkDataRanges(List<GgufTensorInfo> tensors, long dataSectionOffset) throws GgufFormatException {
        long fileSize = in.fileSizeBytes();
        long available = Math.max(0, fileSize - dataSectionOffset);
        for (GgufTensorInfo t : tensors) {
            long size = t.byteSize();
            if (t.offset() > available || size > available - t.offset()) {
                throw new GgufFormatException("tensor '" + t.name() + "' data [" + t.offset() + ", +" + size
                        + " bytes) relative to the data section at byte offset " + dataSectionOffset
                        + " ends past the end of the " + fileSize + "-byte file (truncated?)");
            }
        }
    }

    static long alignUp(long position, long alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }

    private static String describeMagic(int magic) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            int b = (magic >>> (8 * i)) & 0xFF;
            sb.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return "\"" + sb + "\"";
    }
}
