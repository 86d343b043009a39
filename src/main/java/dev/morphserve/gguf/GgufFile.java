package dev.morphserve.gguf;

import dev.morphserve.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open GGUF file: the parsed header, metadata and tensor table, and the whole file mapped
 * read-only. Tensor data is never copied: {@link #data} and {@link #tensor} return slices of the
 * mapping, valid until {@link #close()} (which unmaps; using a slice afterwards throws
 * IllegalStateException rather than crashing the JVM). The mapping lives in a shared arena so
 * that kernel worker threads can read it.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped; // the whole file, read-only
    private final GgufParser.Layout layout;
    private final Map<String, GgufTensorInfo> byName;

    private GgufFile(Path path, Arena arena, MemorySegment mapped, GgufParser.Layout layout) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.layout = layout;
        this.byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : layout.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws GgufFormatException when the content is not a valid GGUF v2/v3 file
     * @throws IOException when the file cannot be read at all
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena).asReadOnly();
            GgufParser.Layout layout;
            try {
                layout = GgufParser.parse(mapped);
            } catch (GgufFormatException e) {
                throw new GgufFormatException(path.getFileName() + ": " + e.getMessage(), e);
            }
            return new GgufFile(path, arena, mapped, layout);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return layout.version();
    }

    public long alignment() {
        return layout.alignment();
    }

    public GgufMetadata metadata() {
        return layout.metadata();
    }

    /** The tensor table in file order. */
    public List<GgufTensorInfo> tensors() {
        return layout.tensors();
    }

    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Absolute byte offset of the data section (tensor offsets are relative to it). */
    public long dataSectionOffset() {
        return layout.dataSectionOffset();
    }

    /** Size of the mapped file in bytes. */
    public long fileSizeBytes() {
        return mapped.byteSize();
    }

    /** Read-only slice of the mapping holding the tensor's data (ranges were checked at open). */
    public MemorySegment data(GgufTensorInfo info) {
        GgufTensorInfo own = byName.get(info.name());
        if (own == null || !own.equals(info)) {
            throw new IllegalArgumentException("tensor " + info + " is not from " + path.getFileName());
        }
        return mapped.asSlice(dataSectionOffset() + info.offset(), info.byteSize());
    }

    /**
     * The tensor as a 2-D {@link Tensor} over the mapping: ne=[cols] becomes 1 x cols, ne=[cols,
     * rows] rows x cols, and higher dims fold into rows as ggml's {@code ggml_nrows} does.
     *
     * @throws GgufFormatException when the name is absent, the type is one our kernels do not
     *     compute, or the shape does not fit in int rows and columns
     */
    public Tensor tensor(String name) throws GgufFormatException {
        GgufTensorInfo info = byName.get(name);
        if (info == null) {
            throw new GgufFormatException("tensor '" + name + "' is not in " + path.getFileName() + " ("
                    + byName.size() + " tensors)");
        }
        if (!info.type().computable()) {
            throw new GgufFormatException("tensor '" + name + "' has ggml type " + info.type()
                    + ", which MorphServe cannot compute (supported: " + GgmlType.computableNames() + ")");
        }
        long cols = info.dim(0);
        long rows = info.numElements() / cols;
        if (cols > Integer.MAX_VALUE || rows > Integer.MAX_VALUE) {
            throw new GgufFormatException("tensor '" + name + "' shape " + java.util.Arrays.toString(info.ne())
                    + " has more than 2^31-1 rows or columns");
        }
        return new Tensor(name, info.type(), (int) rows, (int) cols, data(info));
    }

    /** Unmaps the file; slices handed out before become unusable. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + " v" + version() + ", " + metadata().size() + " keys, " + tensors().size()
                + " tensors]";
    }
}
