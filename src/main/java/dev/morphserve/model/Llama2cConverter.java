package dev.morphserve.model;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Converts a legacy llama2.c checkpoint and its tokenizer into an F32 GGUF file that llama.cpp
 * and our loader both read, with llama.cpp's key and tensor names.
 *
 * <p>No weight is permuted: llama2.c's RoPE rotates adjacent pairs (x[2i], x[2i+1]), which is
 * ggml's normal (non-NEOX) rope mode that llama.cpp uses for the "llama" architecture. Weights
 * are streamed from the mapped checkpoint into the output, never copied onto the heap.
 *
 * <p>Vocabulary pieces are normalized the way llama.cpp's convert-llama2c-to-ggml does, because a
 * GGUF "llama" vocab is SentencePiece-style: spaces become U+2581 (▁), and ids 0/1/2, which
 * llama2.c stores as "&lt;unk&gt;", "\n&lt;s&gt;\n", "\n&lt;/s&gt;\n", become "&lt;unk&gt;", "&lt;s&gt;", "&lt;/s&gt;".
 */
public final class Llama2cConverter {
    static final int UNKNOWN_ID = 0, BOS_ID = 1, EOS_ID = 2;
    // llama_token_type values as gguf stores them in tokenizer.ggml.token_type
    static final int TYPE_NORMAL = 1, TYPE_UNKNOWN = 2, TYPE_CONTROL = 3, TYPE_BYTE = 6;
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x[0-9A-Fa-f]{2}>");
    /** llama2.c trains with this epsilon and theta; the checkpoint does not store them. */
    static final float RMS_EPS = 1e-5f, ROPE_FREQ_BASE = 10000f;

    public record Result(Path output, Llama2cCheckpoint.Header header, int tensorCount, long fileBytes) {}

    private Llama2cConverter() {}

    /** Converts, naming the model after the checkpoint's file name (without extension). */
    public static Result convert(Path checkpoint, Path tokenizer, Path output) throws IOException {
        String file = checkpoint.getFileName().toString();
        return convert(checkpoint, tokenizer, output, file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file);
    }

    public static Result convert(Path checkpoint, Path tokenizer, Path output, String name) throws IOException {
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(checkpoint)) {
            Llama2cTokenizerFile tok = Llama2cTokenizerFile.read(tokenizer, ckpt.header().vocabSize());
            GgufWriter writer = toGguf(ckpt, tok, name);
            writer.write(output);
            return new Result(output, ckpt.header(), writer.tensorInfos().size(), Files.size(output));
        }
    }

    /** The writer, ready to write while {@code ckpt} stays open (tensors are slices of its mapping). */
    static GgufWriter toGguf(Llama2cCheckpoint ckpt, Llama2cTokenizerFile tok, String name) {
        Llama2cCheckpoint.Header h = ckpt.header();
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", name)
                .putUInt32("general.file_type", 0) // LLAMA_FTYPE_ALL_F32
                .putUInt32("llama.context_length", h.seqLen())
                .putUInt32("llama.embedding_length", h.dim())
                .putUInt32("llama.block_count", h.nLayers())
                .putUInt32("llama.feed_forward_length", h.hiddenDim())
                .putUInt32("llama.rope.dimension_count", h.headSize())
                .putUInt32("llama.attention.head_count", h.nHeads())
                .putUInt32("llama.attention.head_count_kv", h.nKvHeads())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", RMS_EPS)
                .putFloat32("llama.rope.freq_base", ROPE_FREQ_BASE);
        putVocab(w, tok);
        addTensors(w, ckpt);
        return w;
    }

    private static void putVocab(GgufWriter w, Llama2cTokenizerFile tok) {
        List<String> pieces = new ArrayList<>(tok.vocabSize());
        int[] types = new int[tok.vocabSize()]; // [vocab] llama_token_type
        for (int id = 0; id < tok.vocabSize(); id++) {
            String raw = tok.pieces().get(id);
            pieces.add(ggufPiece(id, raw));
            types[id] = tokenType(id, raw);
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", pieces)
                .putFloat32Array("tokenizer.ggml.scores", tok.scores())
                .putInt32Array("tokenizer.ggml.token_type", types)
                .putUInt32("tokenizer.ggml.unknown_token_id", UNKNOWN_ID)
                .putUInt32("tokenizer.ggml.bos_token_id", BOS_ID)
                .putUInt32("tokenizer.ggml.eos_token_id", EOS_ID)
                // llama.cpp's converter writes "none" (-1 as uint32) for these; kept for key parity
                .putUInt32("tokenizer.ggml.seperator_token_id", 0xFFFF_FFFFL)
                .putUInt32("tokenizer.ggml.padding_token_id", 0xFFFF_FFFFL)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_space_prefix", true);
    }

    static String ggufPiece(int id, String raw) {
        return switch (id) {
            case UNKNOWN_ID -> "<unk>";
            case BOS_ID -> "<s>";
            case EOS_ID -> "</s>";
            default -> raw.replace(' ', '\u2581');
        };
    }

    static int tokenType(int id, String raw) {
        if (id == UNKNOWN_ID) {
            return TYPE_UNKNOWN;
        }
        if (id == BOS_ID || id == EOS_ID || raw.isEmpty()) { // empty pieces are control tokens in llama.cpp too
            return TYPE_CONTROL;
        }
        return BYTE_PIECE.matcher(raw).matches() ? TYPE_BYTE : TYPE_NORMAL;
    }

    /** llama.cpp's tensor order: embedding, final norm, classifier, then each block. */
    private static void addTensors(GgufWriter w, Llama2cCheckpoint c) {
        Llama2cCheckpoint.Header h = c.header();
        long dim = h.dim(), kv = h.kvDim(), hidden = h.hiddenDim(), vocab = h.vocabSize();
        f32(w, "token_embd.weight", c.tokenEmbedding(), dim, vocab);
        f32(w, "output_norm.weight", c.rmsFinal(), dim);
        if (!h.sharedClassifier()) {
            f32(w, "output.weight", c.wcls(), dim, vocab);
        }
        for (int i = 0; i < h.nLayers(); i++) {
            String p = "blk." + i + ".";
            f32(w, p + "attn_q.weight", c.wq(i), dim, dim);
            f32(w, p + "attn_k.weight", c.wk(i), dim, kv);
            f32(w, p + "attn_v.weight", c.wv(i), dim, kv);
            f32(w, p + "attn_output.weight", c.wo(i), dim, dim);
            f32(w, p + "attn_norm.weight", c.rmsAtt(i), dim);
            f32(w, p + "ffn_gate.weight", c.w1(i), dim, hidden);
            f32(w, p + "ffn_down.weight", c.w2(i), hidden, dim);
            f32(w, p + "ffn_up.weight", c.w3(i), dim, hidden);
            f32(w, p + "ffn_norm.weight", c.rmsFfn(i), dim);
        }
    }

    /** {@code ne} in ggml order: [cols] or [cols, rows]. */
    private static void f32(GgufWriter w, String name, MemorySegment data, long... ne) {
        w.addTensor(name, GgmlType.F32, ne, data);
    }
}
