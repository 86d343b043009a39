package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgufFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic checkpoints: shapes and names of a separate classifier, and input validation. */
class Llama2cConverterTest {
    @TempDir
    Path dir;

    // dim 8, hidden 12, 2 layers, 2 heads, 1 kv head (kv_dim 4), vocab 5, seq_len 4
    static final int DIM = 8, HIDDEN = 12, LAYERS = 2, HEADS = 2, KV_HEADS = 1, VOCAB = 5, SEQ = 4;
    static final int KV_DIM = DIM * KV_HEADS / HEADS, HEAD = DIM / HEADS;

    static long floatCount(boolean separateClassifier) {
        long perLayer = DIM + DIM * DIM + 2L * KV_DIM * DIM + DIM * DIM + DIM + 3L * HIDDEN * DIM;
        return (long) VOCAB * DIM + LAYERS * perLayer + DIM + 2L * SEQ * HEAD / 2
                + (separateClassifier ? (long) VOCAB * DIM : 0);
    }

    /** Header then floats 0, 1, 2, ... so that each weight's position is recognizable. */
    private Path checkpoint(int[] header, long floats) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(28 + (int) floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int h : header) b.putInt(h);
        for (int i = 0; i < floats; i++) b.putFloat(i);
        Path p = dir.resolve("model.bin");
        Files.write(p, b.array());
        return p;
    }

    private Path tokenizer(List<String> pieces) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(8);
        for (int i = 0; i < pieces.size(); i++) {
            byte[] utf8 = pieces.get(i).getBytes(StandardCharsets.UTF_8);
            b.putFloat(-i).putInt(utf8.length).put(utf8);
        }
        Path p = dir.resolve("tok.bin");
        Files.write(p, java.util.Arrays.copyOf(b.array(), b.position()));
        return p;
    }

    private static final List<String> PIECES = List.of("<unk>", "\n<s>\n", "\n</s>\n", "<0x41>", " the");

    @Test
    void separateClassifierBecomesOutputWeightAndShapesFollowLlamaCpp() throws Exception {
        Path ckpt = checkpoint(new int[] {DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, -VOCAB, SEQ}, floatCount(true));
        Path out = dir.resolve("out.gguf");
        Llama2cConverter.Result r = Llama2cConverter.convert(ckpt, tokenizer(PIECES), out);
        assertThat(r.tensorCount()).isEqualTo(3 + 9 * LAYERS);
        try (GgufFile g = GgufFile.open(out)) {
            assertThat(g.findTensor("output.weight").orElseThrow().ne()).containsExactly(DIM, VOCAB);
            assertThat(g.findTensor("blk.1.attn_k.weight").orElseThrow().ne()).containsExactly(DIM, KV_DIM);
            assertThat(g.findTensor("blk.1.ffn_down.weight").orElseThrow().ne()).containsExactly(HIDDEN, DIM);
            assertThat(g.findTensor("blk.0.ffn_gate.weight").orElseThrow().ne()).containsExactly(DIM, HIDDEN);
            // wcls is the last array of the file: its last float is the last index written
            float[] cls = g.data(g.findTensor("output.weight").orElseThrow()).toArray(ValueLayout.JAVA_FLOAT);
            assertThat(cls[cls.length - 1]).isEqualTo(floatCount(true) - 1);
            // wq of layer 1 starts after embedding, both rms_att, and wq of layer 0
            float[] wq1 = g.data(g.findTensor("blk.1.attn_q.weight").orElseThrow()).toArray(ValueLayout.JAVA_FLOAT);
            assertThat(wq1[0]).isEqualTo(VOCAB * DIM + LAYERS * DIM + DIM * DIM);
            assertThat(g.metadata().getInt("llama.rope.dimension_count")).isEqualTo(HEAD);
            assertThat(g.metadata().getInt("llama.context_length")).isEqualTo(SEQ);
            assertThat(g.metadata().getStringArray("tokenizer.ggml.tokens"))
                    .containsExactly("<unk>", "<s>", "</s>", "<0x41>", "\u2581the");
            assertThat(g.metadata().getIntArray("tokenizer.ggml.token_type")).containsExactly(2, 3, 3, 6, 1);
            assertThat(g.metadata().getString("general.name")).isEqualTo("model");
        }
    }

    @Test
    void headerProblemsAreNamed() throws Exception {
        Path tok = tokenizer(PIECES);
        Path out = dir.resolve("out.gguf");
        Path shortFile = dir.resolve("short.bin");
        Files.write(shortFile, new byte[10]);
        assertThatThrownBy(() -> Llama2cConverter.convert(shortFile, tok, out))
                .isInstanceOf(Llama2cFormatException.class).hasMessageContaining("28-byte");
        assertThatThrownBy(() -> Llama2cConverter.convert(
                        checkpoint(new int[] {DIM, 0, LAYERS, HEADS, KV_HEADS, VOCAB, SEQ}, 10), tok, out))
                .hasMessageContaining("hidden_dim = 0").hasMessageContaining("positive");
        assertThatThrownBy(() -> Llama2cConverter.convert(
                        checkpoint(new int[] {DIM, HIDDEN, LAYERS, 3, 1, VOCAB, SEQ}, 10), tok, out))
                .hasMessageContaining("n_heads = 3 does not divide dim = 8");
        assertThatThrownBy(() -> Llama2cConverter.convert(
                        checkpoint(new int[] {DIM, HIDDEN, LAYERS, HEADS, 3, VOCAB, SEQ}, 10), tok, out))
                .hasMessageContaining("n_kv_heads = 3");
        assertThatThrownBy(() -> Llama2cConverter.convert(
                        checkpoint(new int[] {DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, SEQ}, floatCount(false) - 1),
                        tok, out))
                .hasMessageContaining("truncated").hasMessageContaining("needs");
        assertThatThrownBy(() -> Llama2cConverter.convert(
                        checkpoint(new int[] {0x616b3432, 1, 0, 0, 0, 0, 0}, 10), tok, out))
                .hasMessageContaining("ak42");
        assertThatThrownBy(() -> Llama2cConverter.convert(
                        checkpoint(new int[] {1 << 30, 1 << 30, 1 << 30, 1, 1, 1 << 30, 2}, 1), tok, out))
                .isInstanceOf(Llama2cFormatException.class);
        assertThat(out).doesNotExist();
    }

    @Test
    void tokenizerProblemsAreNamed() throws Exception {
        Path ckpt = checkpoint(new int[] {DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, SEQ}, floatCount(false));
        Path out = dir.resolve("out.gguf");
        Path fewer = tokenizer(PIECES.subList(0, 4));
        assertThatThrownBy(() -> Llama2cConverter.convert(ckpt, fewer, out))
                .isInstanceOf(Llama2cFormatException.class).hasMessageContaining("token 4");
        Path more = tokenizer(List.of("<unk>", "a", "b", "c", "d", "e"));
        assertThatThrownBy(() -> Llama2cConverter.convert(ckpt, more, out)).hasMessageContaining("do not match");
        assertThat(out).doesNotExist();
    }
}
