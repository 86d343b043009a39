package dev.morphserve.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a GGUF v3 file: metadata puts in the order they should appear, tensors in file order,
 * then {@link #write}. Tensor data is streamed from the given segments (usually slices of another
 * mapped file or off-heap buffers) in chunks, so multi-GB models never sit on the heap. The file
 * is written beside the target and moved into place at the end, so that a crash never leaves a
 * half-written model under the final name.
 */
public final class GgufWriter {
    /** Called after each chunk of tensor data with the bytes written so far and the file size. */
    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(long bytesWritten, long totalBytes);
    }

    private static final int CHUNK_BYTES = 8 << 20; // big enough for full-speed writes, small on the heap

    private record PendingTensor(String name, GgmlType type, long[] ne, MemorySegment data) {}

    private final LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
    private final LinkedHashMap<String, PendingTensor> tensors = new LinkedHashMap<>();
    private long alignment = GgufParser.DEFAULT_ALIGNMENT;

    /** Data alignment in bytes (power of two); stored as general.alignment only when not 32. */
    public GgufWriter alignment(long bytes) {
        if (bytes <= 0 || bytes > (1L << 30) || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two in [1, 2^30], got " + bytes);
        }
        this.alignment = bytes;
        return this;
    }

    public long alignment() {
        return alignment;
    }

    /** Adds or replaces a key; a replaced key keeps its original position. */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(value, "value");
        if (Objects.requireNonNull(key, "key").isEmpty()) {
            throw new IllegalArgumentException("empty metadata key");
        }
        if (key.equals(GgufParser.ALIGNMENT_KEY)) {
            throw new IllegalArgumentException("set '" + key + "' with alignment(bytes), not as a metadata value");
        }
        metadata.put(key, value);
        return this;
    }

    /** A snapshot of the metadata put so far (without general.alignment). */
    public GgufMetadata metadata() {
        return new GgufMetadata(metadata, false);
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    public GgufWriter putUInt8(String key, int v) { return put(key, GgufValue.uint8(v)); }
    public GgufWriter putInt8(String key, byte v) { return put(key, GgufValue.int8(v)); }
    public GgufWriter putUInt16(String key, int v) { return put(key, GgufValue.uint16(v)); }
    public GgufWriter putInt16(String key, short v) { return put(key, GgufValue.int16(v)); }
    public GgufWriter putUInt32(String key, long v) { return put(key, GgufValue.uint32(v)); }
    public GgufWriter putInt32(String key, int v) { return put(key, GgufValue.int32(v)); }
    public GgufWriter putFloat32(String key, float v) { return put(key, GgufValue.float32(v)); }
    public GgufWriter putBool(String key, boolean v) { return put(key, GgufValue.bool(v)); }
    public GgufWriter putString(String key, String v) { return put(key, GgufValue.string(v)); }
    /** {@code rawBits} is stored as is and read back as unsigned. */
    public GgufWriter putUInt64(String key, long rawBits) { return put(key, GgufValue.uint64(rawBits)); }
    public GgufWriter putInt64(String key, long v) { return put(key, GgufValue.int64(v)); }
    public GgufWriter putFloat64(String key, double v) { return put(key, GgufValue.float64(v)); }
    public GgufWriter putArray(String key, GgufArray v) { return put(key, GgufValue.array(v)); }
    public GgufWriter putStringArray(String key, List<String> v) { return putArray(key, GgufArray.ofStrings(v)); }
    public GgufWriter putFloat32Array(String key, float[] v) { return putArray(key, GgufArray.ofFloat32(v)); }
    public GgufWriter putInt32Array(String key, int[] v) { return putArray(key, GgufArray.ofInt32(v)); }

    /** Copies every key except general.alignment (this writer's own alignment applies). */
    public GgufWriter copyMetadataFrom(GgufMetadata source) {
        return copyMetadataFrom(source, Set.of());
    }

    public GgufWriter copyMetadataFrom(GgufMetadata source, Set<String> skipKeys) {
        for (Map.Entry<String, GgufValue> e : source.asMap().entrySet()) {
            if (!skipKeys.contains(e.getKey()) && !e.getKey().equals(GgufParser.ALIGNMENT_KEY)) {
                put(e.getKey(), e.getValue());
            }
        }
        return this;
    }

    /**
     * Adds a tensor after the ones already added.
     *
     * @param ne ggml shape, ne[0] contiguous (a rows x cols matrix is {@code [cols, rows]})
     * @param data exactly {@code type.bytesFor(product of ne)} bytes in ggml layout, little-endian;
     *     read at {@link #write} time, so it must stay alive until then
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] ne, MemorySegment data) {
        Objects.requireNonNull(type, "type");
        if (tensors.containsKey(Objects.requireNonNull(name, "name"))) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        GgufTensorInfo shape = new GgufTensorInfo(name, ne, type, 0); // validates dims
        long expected = shape.byteSize();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " " + java.util.Arrays.toString(ne)
                    + " needs " + expected + " bytes, data has " + data.byteSize());
        }
        tensors.put(name, new PendingTensor(name, type, ne.clone(), data));
        return this;
    }

    /** The tensor table as it will be written: offsets relative to the data section. */
    public List<GgufTensorInfo> tensorInfos() {
        List<GgufTensorInfo> infos = new ArrayList<>(tensors.size());
        long offset = 0;
        for (PendingTensor t : tensors.values()) {
            infos.add(new GgufTensorInfo(t.name(), t.ne(), t.type(), offset));
            offset = GgufParser.alignUp(offset + t.data().byteSize(), alignment);
        }
        return infos;
    }

    public void write(Path out) throws IOException {
        write(out, (written, total) -> {});
    }

    /** Writes the file: header and tables, padding, then each tensor's data padded to the alignment. */
    public void write(Path out, ProgressListener progress) throws IOException {
        List<GgufTensorInfo> infos = tensorInfos();
        ByteBuffer head = encodeHead(infos);
        long dataBytes = infos.isEmpty() ? 0 : GgufParser.alignUp(last(infos).offset() + last(infos).byteSize(), alignment);
        long totalBytes = head.remaining() + dataBytes;

        Path dir = out.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "output directory does not exist");
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                Arena staging = Arena.ofConfined()) {
            writeFully(ch, head);
            progress.onProgress(ch.position(), totalBytes);
            MemorySegment chunk = staging.allocate(CHUNK_BYTES, 64); // [CHUNK_BYTES] staging for heap-backed data
            for (PendingTensor t : tensors.values()) {
                writeData(ch, t.data(), chunk, progress, totalBytes);
                long pad = GgufParser.alignUp(ch.position(), alignment) - ch.position();
                writeFully(ch, ByteBuffer.allocate((int) pad));
            }
            progress.onProgress(ch.position(), totalBytes);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private ByteBuffer encodeHead(List<GgufTensorInfo> infos) {
        GgufEncoder enc = new GgufEncoder();
        // gguf_header_t
        enc.u32(GgufParser.MAGIC);
        enc.u32(3);
        enc.u64(infos.size());
        enc.u64(metadata.size() + (alignment != GgufParser.DEFAULT_ALIGNMENT ? 1 : 0));
        // gguf_metadata_kv_t[]
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            enc.string(e.getKey());
            enc.u32(e.getValue().type().id());
            enc.value(e.getValue());
        }
        if (alignment != GgufParser.DEFAULT_ALIGNMENT) {
            enc.string(GgufParser.ALIGNMENT_KEY);
            enc.u32(GgufValueType.UINT32.id());
            enc.u32((int) alignment);
        }
        // gguf_tensor_info_t[]
        for (GgufTensorInfo t : infos) {
            enc.string(t.name());
            enc.u32(t.nDims());
            for (long d : t.ne()) {
                enc.u64(d);
            }
            enc.u32(t.type().id());
            enc.u64(t.offset());
        }
        enc.padTo(alignment);
        return enc.finish();
    }

    private static void writeData(FileChannel ch, MemorySegment data, MemorySegment chunk, ProgressListener progress,
            long totalBytes) throws IOException {
        for (long done = 0; done < data.byteSize(); ) {
            long n = Math.min(CHUNK_BYTES, data.byteSize() - done);
            ByteBuffer bytes;
            if (data.isNative()) {
                bytes = data.asSlice(done, n).asByteBuffer(); // straight from the mapping / off-heap, no copy
            } else {
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, done, chunk, ValueLayout.JAVA_BYTE, 0, n);
                bytes = chunk.asSlice(0, n).asByteBuffer();
            }
            writeFully(ch, bytes);
            done += n;
            progress.onProgress(ch.position(), totalBytes);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            ch.write(bytes);
        }
    }

    private static GgufTensorInfo last(List<GgufTensorInfo> infos) {
        return infos.get(infos.size() - 1);
    }
}
