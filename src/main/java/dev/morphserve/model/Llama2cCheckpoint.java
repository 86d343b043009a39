package dev.morphserve.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A llama2.c checkpoint in the legacy (version 0) format, mapped read-only. The file is a
 * 7 x int32 header followed by float32 arrays back to back, each row-major with the last index
 * contiguous, which is exactly ggml's F32 layout, so weights are handed out as slices of the
 * mapping:
 *
 * <pre>
 * token_embedding [vocab][dim]          rms_att   [L][dim]
 * wq [L][dim][dim]     wk [L][kv_dim][dim]     wv [L][kv_dim][dim]     wo [L][dim][dim]
 * rms_ffn [L][dim]     w1 [L][hidden][dim]     w2 [L][dim][hidden]     w3 [L][hidden][dim]
 * rms_final [dim]      freq_cis_real, freq_cis_imag [seq_len * head_size / 2] (unused: RoPE is recomputed)
 * wcls [vocab][dim]    only when the header's vocab_size is negative
 * </pre>
 */
public final class Llama2cCheckpoint implements AutoCloseable {
    static final int HEADER_BYTES = 7 * 4;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** First int of llama2.c's newer export formats ("ak42"), which this reader does not handle. */
    private static final int VERSIONED_MAGIC = 0x616b3432;

    /** The header; {@code sharedClassifier} is true when vocab_size was positive (wcls = embedding). */
    public record Header(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, int seqLen,
            boolean sharedClassifier) {
        public int headSize() {
            return dim / nHeads;
        }

        public int kvDim() {
            return dim * nKvHeads / nHeads;
        }
    }

    private final Path path;
    private final Arena arena;
    private final Header header;
    private final Llama2cLayout layout;
    private final MemorySegment file; // whole checkpoint, read-only

    private Llama2cCheckpoint(Path path, Arena arena, MemorySegment file, Header header, Llama2cLayout layout) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.header = header;
        this.layout = layout;
    }

    public static Llama2cCheckpoint open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long sizeBytes = ch.size();
            if (sizeBytes < HEADER_BYTES) {
                throw new Llama2cFormatException(path.getFileName() + " is " + sizeBytes
                        + " bytes, shorter than the 28-byte llama2.c header");
            }
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, sizeBytes, arena).asReadOnly();
            Header header = readHeader(path, file);
            Llama2cLayout layout;
            try {
                layout = new Llama2cLayout(header);
            } catch (ArithmeticException e) {
                throw new Llama2cFormatException(path.getFileName() + ": header " + header
                        + " describes more than 2^63 bytes of weights");
            }
            if (layout.totalBytes() != sizeBytes) {
                throw new Llama2cFormatException(path.getFileName() + " is " + sizeBytes + " bytes but its header "
                        + header + " needs " + layout.totalBytes() + " bytes ("
                        + (sizeBytes < layout.totalBytes() ? "truncated" : (sizeBytes - layout.totalBytes()) + " extra")
                        + "); not a legacy llama2.c checkpoint of that shape");
            }
            return new Llama2cCheckpoint(path, arena, file, header, layout);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Header readHeader(Path path, MemorySegment file) throws Llama2cFormatException {
        int[] h = new int[7]; // dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
        for (int i = 0; i < 7; i++) {
            h[i] = file.get(LE_INT, 4L * i);
        }
        String name = path.getFileName().toString();
        if (h[0] == VERSIONED_MAGIC) {
            throw new Llama2cFormatException(name + " starts with magic \"ak42\": a llama2.c version-1/2 export;"
                    + " only the legacy (version 0) format is supported, export with --version 0");
        }
        String[] fields = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
        for (int i = 0; i < 7; i++) {
            boolean ok = i == 5 ? h[i] != 0 && h[i] != Integer.MIN_VALUE : h[i] > 0;
            if (!ok) {
                throw new Llama2cFormatException(name + ": header field " + fields[i] + " = " + h[i]
                        + " at byte offset " + 4 * i + " must be " + (i == 5 ? "non-zero" : "positive"));
            }
        }
        int dim = h[0], nHeads = h[3], nKvHeads = h[4];
        if (dim % nHeads != 0) {
            throw new Llama2cFormatException(name + ": n_heads = " + nHeads + " does not divide dim = " + dim);
        }
        if (nKvHeads > nHeads || nHeads % nKvHeads != 0) {
            throw new Llama2cFormatException(name + ": n_kv_heads = " + nKvHeads + " does not divide n_heads = " + nHeads);
        }
        if ((dim / nHeads) % 2 != 0) {
            throw new Llama2cFormatException(name + ": head size " + dim / nHeads + " is odd; RoPE rotates pairs");
        }
        return new Header(dim, h[1], h[2], nHeads, nKvHeads, Math.abs(h[5]), h[6], h[5] > 0);
    }

    public Path path() {
        return path;
    }

    public Header header() {
        return header;
    }

    private MemorySegment slice(Llama2cLayout.Span span) {
        return file.asSlice(span.offsetBytes(), span.sizeBytes());
    }

    /** [vocab][dim] */
    public MemorySegment tokenEmbedding() { return slice(layout.tokenEmbedding()); }
    /** [dim] */
    public MemorySegment rmsAtt(int layer) { return slice(layout.rmsAtt(layer)); }
    /** [dim][dim] */
    public MemorySegment wq(int layer) { return slice(layout.wq(layer)); }
    /** [kv_dim][dim] */
    public MemorySegment wk(int layer) { return slice(layout.wk(layer)); }
    /** [kv_dim][dim] */
    public MemorySegment wv(int layer) { return slice(layout.wv(layer)); }
    /** [dim][dim] */
    public MemorySegment wo(int layer) { return slice(layout.wo(layer)); }
    /** [dim] */
    public MemorySegment rmsFfn(int layer) { return slice(layout.rmsFfn(layer)); }
    /** [hidden][dim], the gate projection */
    public MemorySegment w1(int layer) { return slice(layout.w1(layer)); }
    /** [dim][hidden], the down projection */
    public MemorySegment w2(int layer) { return slice(layout.w2(layer)); }
    /** [hidden][dim], the up projection */
    public MemorySegment w3(int layer) { return slice(layout.w3(layer)); }
    /** [dim] */
    public MemorySegment rmsFinal() { return slice(layout.rmsFinal()); }

    /** [vocab][dim]: the separate classifier, or the embedding when the two are shared. */
    public MemorySegment wcls() {
        return header.sharedClassifier() ? tokenEmbedding() : slice(layout.wcls());
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
