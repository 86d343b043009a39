package dev.morphserve.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Reads the third-party file that llama.cpp's own converter produced from stories260K. */
class Stories260KGgufTest {
    @BeforeAll
    static void requireSharedData() {
        Assumptions.assumeTrue(Files.exists(GgufFuzzTest.STORIES),
                "skipped: " + GgufFuzzTest.STORIES.toAbsolutePath() + " not found (shared test data absent)");
    }

    @Test
    void headerAndMetadata() throws Exception {
        try (GgufFile g = GgufFile.open(GgufFuzzTest.STORIES)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.alignment()).isEqualTo(32);
            assertThat(g.dataSectionOffset()).isEqualTo(14176);
            GgufMetadata m = g.metadata();
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(m.getInt("llama.feed_forward_length")).isEqualTo(172);
            assertThat(m.getInt("llama.block_count")).isEqualTo(5);
            assertThat(m.getInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(m.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(m.getInt("llama.rope.dimension_count")).isEqualTo(8);
            assertThat(m.getFloat("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1e-5f);
            assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("llama");
            List<String> tokens = m.getStringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(512).startsWith("<unk>", "<s>", "</s>", "<0x00>");
            assertThat(tokens.get(259)).isEqualTo("\u2581t");
            assertThat(m.getFloatArray("tokenizer.ggml.scores")).hasSize(512);
            assertThat(m.getIntArray("tokenizer.ggml.token_type")).hasSize(512).startsWith(2, 3, 3, 6);
            assertThat(m.getInt("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(m.getInt("tokenizer.ggml.eos_token_id")).isEqualTo(2);
        }
    }

    @Test
    void tensorTable() throws Exception {
        try (GgufFile g = GgufFile.open(GgufFuzzTest.STORIES)) {
            List<String> expected = new ArrayList<>(List.of("token_embd.weight", "output_norm.weight", "output.weight"));
            for (int i = 0; i < 5; i++) {
                for (String s : List.of("attn_q", "attn_k", "attn_v", "attn_output", "attn_norm", "ffn_gate",
                        "ffn_down", "ffn_up", "ffn_norm")) {
                    expected.add("blk." + i + "." + s + ".weight");
                }
            }
            assertThat(g.tensors()).extracting(GgufTensorInfo::name).containsExactlyElementsOf(expected);
            assertThat(g.tensors()).allMatch(t -> t.type() == GgmlType.F32);
            assertThat(g.findTensor("token_embd.weight").orElseThrow().ne()).containsExactly(64, 512);
            assertThat(g.findTensor("blk.0.attn_k.weight").orElseThrow().ne()).containsExactly(64, 32);
            assertThat(g.findTensor("blk.0.ffn_down.weight").orElseThrow().ne()).containsExactly(172, 64);
            assertThat(g.findTensor("blk.4.ffn_up.weight").orElseThrow().ne()).containsExactly(64, 172);
            long totalElements = g.tensors().stream().mapToLong(GgufTensorInfo::numElements).sum();
            assertThat(totalElements).isEqualTo(292_800); // 260K parameters + the output copy of token_embd
            assertThat(g.dataSectionOffset() + g.tensors().getLast().offset() + g.tensors().getLast().byteSize())
                    .isEqualTo(Files.size(GgufFuzzTest.STORIES));

            Tensor emb = g.tensor("token_embd.weight");
            assertThat(emb.rows()).isEqualTo(512);
            assertThat(emb.cols()).isEqualTo(64);
            Tensor norm = g.tensor("blk.2.attn_norm.weight");
            assertThat(norm.rows()).isEqualTo(1);
            float w = norm.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
            assertThat(w).isFinite().isNotZero(); // trained RMSNorm gains are around 1, never 0
            GgufFuzzTest.touch(g);
        }
    }
}
