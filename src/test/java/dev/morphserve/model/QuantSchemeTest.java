package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.testing.GgufAssertions;
import dev.morphserve.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quantization schemes: our quantizer on ref-llama-F16.gguf against the files llama-quantize made from it
 * (../shared/models/refs): every tensor of the same type, shape and bytes, and the same general.file_type.
 * The rules are also checked on a TinyLlama-shaped model (22 layers, 8 query heads per KV head), where
 * they pick more than on the 4-layer reference.
 */
class QuantSchemeTest {
    private static final String REFS = "models/refs/models/";

    @ParameterizedTest(name = "{0} mix={1} -> {2}")
    @CsvSource({
        "Q4_K_M, false, ref-llama-Q4_K_M, 15",
        "Q4_K_S, false, ref-llama-Q4_K_S, 14",
        "Q2_K,   true,  ref-llama-Q2_K,   10",
        "Q4_0,   true,  ref-llama-Q4_0,    2",
        "Q8_0,   true,  ref-llama-Q8_0,    7",
        "Q8_0,   false, ref-llama-Q8_0,    7",
        "Q6_K,   true,  ref-llama-Q6_K,   18",
        "Q6_K,   false, ref-llama-Q6_K,   18",
        "Q4_K,   false, ref-llama-pure-Q4_K, 15",
    })
    void quantizingTheF16Reference_reproducesLlamaQuantizesFile(String target, boolean mix, String refName, int fileType,
            @TempDir Path tmp) throws Exception {
        Path source = SharedData.require(REFS + "ref-llama-F16.gguf");
        Path reference = SharedData.require(REFS + refName + ".gguf");
        Path ours = tmp.resolve("ours.gguf");
        ModelQuantizer.quantize(source, ours, QuantScheme.parse(target, mix), i -> true, true);
        GgufAssertions.assertSameTensors(ours, reference, fileType);
    }

    @Test
    void q4_K_M_onTinyLlamaShape_givesQ6_KToTheLayersLlamaCppPicks() {
        List<Integer> q6 = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            GgmlType v = LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_V, i, 22, 2048, 8));
            GgmlType down = LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.FFN_DOWN, i, 22, 5632, 8));
            assertThat(down).isEqualTo(v);
            if (v == GgmlType.Q6_K) {
                q6.add(i);
            }
        }
        assertThat(q6).containsExactly(0, 1, 4, 7, 10, 13, 16, 19, 20, 21);
        assertThat(LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.OUTPUT, 0, 22, 2048, 8)))
                .isEqualTo(GgmlType.Q6_K);
        assertThat(LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.TOKEN_EMBD, 0, 22, 2048, 8)))
                .isEqualTo(GgmlType.Q4_K);
    }

    @Test
    void q4_K_S_andQ2_K_onTinyLlamaShape() {
        var slots = IntStream.range(0, 22).mapToObj(i -> new QuantScheme.MatrixSlot(MatrixRole.FFN_DOWN, i, 22, 5632, 8));
        assertThat(slots.map(LlamaMix.Q4_K_S::typeFor).filter(t -> t == GgmlType.Q5_K).count())
                .as("ffn_down of the first 22/8 layers").isEqualTo(2);
        assertThat(LlamaMix.Q4_K_S.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_V, 3, 22, 2048, 8))).isEqualTo(GgmlType.Q5_K);
        assertThat(LlamaMix.Q4_K_S.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_V, 4, 22, 2048, 8))).isEqualTo(GgmlType.Q4_K);
        // 8 query heads per KV head: attn_v gets Q4_K, not the Q3_K of the 2:1 reference model
        assertThat(LlamaMix.Q2_K_MIX.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_V, 5, 22, 2048, 8))).isEqualTo(GgmlType.Q4_K);
        assertThat(LlamaMix.Q2_K_MIX.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_V, 5, 22, 2048, 2))).isEqualTo(GgmlType.Q3_K);
        assertThat(LlamaMix.Q2_K_MIX.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_Q, 5, 22, 2048, 8))).isEqualTo(GgmlType.Q2_K);
    }

    @Test
    void rowsThatDoNotSplitIntoSuperBlocks_fallBackAsLlamaCpp() {
        // stories260K: ffn_down has 172 columns, its output 64
        assertThat(LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.FFN_UP, 0, 5, 172, 1))).isEqualTo(GgmlType.F16);
        assertThat(LlamaMix.Q2_K_MIX.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_Q, 0, 5, 64, 1))).isEqualTo(GgmlType.Q4_0);
        assertThat(LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.ATTN_Q, 0, 5, 64, 1))).isEqualTo(GgmlType.Q5_0);
        assertThat(LlamaMix.Q4_K_M.typeFor(new QuantScheme.MatrixSlot(MatrixRole.OUTPUT, 0, 5, 64, 1))).isEqualTo(GgmlType.Q8_0);
    }

    @Test
    void parse_namesWhatItAccepts() {
        assertThat(QuantScheme.parse("q4_k_m", false)).isSameAs(LlamaMix.Q4_K_M);
        assertThat(QuantScheme.parse("Q4_K", true)).isSameAs(LlamaMix.Q4_K_M);
        assertThat(QuantScheme.parse("Q4_0", false)).isEqualTo(new QuantScheme.Pure(GgmlType.Q4_0));
        assertThat(QuantScheme.parse("Q4_0", true)).isSameAs(LlamaMix.Q4_0_MIX);
        assertThatThrownBy(() -> QuantScheme.parse("Q4_K_X", false))
                .hasMessageContaining("unknown quantization target 'Q4_K_X'")
                .hasMessageContaining("Q4_K_M");
        assertThatThrownBy(() -> QuantScheme.parse("Q4_1", false)).hasMessageContaining("cannot quantize a model to Q4_1");
        assertThatThrownBy(() -> QuantScheme.parse("Q8_K", false)).hasMessageContaining("cannot quantize a model to Q8_K");
        assertThatThrownBy(() -> QuantScheme.parse("Q3_K", true)).hasMessageContaining("no llama.cpp mix for Q3_K");
    }
}
