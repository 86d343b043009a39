package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufTensorInfo;
import dev.morphserve.gguf.GgufValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converts stories260K.bin + tok512.bin and compares the result with stories260K.gguf, which
 * llama.cpp's own converter made from the same files. Every difference is spelled out here.
 */
class Llama2cConverterStories260KTest {
    static final Path DIR = Path.of("../shared/models/stories260K");
    static final Path REFERENCE = DIR.resolve("stories260K.gguf");

    @TempDir
    static Path tmp;

    static Path converted;

    @BeforeAll
    static void convert() throws Exception {
        Assumptions.assumeTrue(Files.exists(DIR.resolve("stories260K.bin")) && Files.exists(REFERENCE),
                "skipped: " + DIR.toAbsolutePath() + " not found (shared test data absent)");
        converted = tmp.resolve("converted.gguf");
        Llama2cConverter.Result r =
                Llama2cConverter.convert(DIR.resolve("stories260K.bin"), DIR.resolve("tok512.bin"), converted);
        assertThat(r.tensorCount()).isEqualTo(2 + 9 * 5);
        assertThat(r.header().sharedClassifier()).isTrue();
        assertThat(r.fileBytes()).isEqualTo(Files.size(converted));
    }

    @Test
    void everyTensorIsBitwiseEqualToLlamaCppsFile() throws Exception {
        try (GgufFile ours = GgufFile.open(converted);
                GgufFile ref = GgufFile.open(REFERENCE)) {
            List<String> differences = new ArrayList<>();
            for (GgufTensorInfo t : ours.tensors()) {
                GgufTensorInfo r = ref.findTensor(t.name()).orElse(null);
                if (r == null) {
                    differences.add(t.name() + ": absent from the reference");
                } else if (!java.util.Arrays.equals(t.ne(), r.ne()) || t.type() != r.type()) {
                    differences.add(t.name() + ": " + t + " vs " + r);
                } else if (ours.data(t).mismatch(ref.data(r)) != -1) {
                    differences.add(t.name() + ": data differs at byte " + ours.data(t).mismatch(ref.data(r)));
                }
            }
            assertThat(differences).isEmpty();
            assertThat(ours.tensors()).allMatch(t -> t.type() == GgmlType.F32);

            // llama.cpp always writes output.weight, as a copy of the embedding when they are tied;
            // we leave it out (llama.cpp falls back to token_embd), as the checkpoint ties them.
            Set<String> onlyInRef = new LinkedHashSet<>();
            ref.tensors().forEach(t -> onlyInRef.add(t.name()));
            ours.tensors().forEach(t -> onlyInRef.remove(t.name()));
            assertThat(onlyInRef).containsExactly("output.weight");
            GgufTensorInfo refOutput = ref.findTensor("output.weight").orElseThrow();
            GgufTensorInfo ourEmb = ours.findTensor("token_embd.weight").orElseThrow();
            assertThat(ref.data(refOutput).mismatch(ours.data(ourEmb))).isEqualTo(-1);
            // same tensor order as llama.cpp, apart from the missing output.weight
            List<String> refOrder = new ArrayList<>(ref.tensors().stream().map(GgufTensorInfo::name).toList());
            refOrder.remove("output.weight");
            assertThat(ours.tensors()).extracting(GgufTensorInfo::name).containsExactlyElementsOf(refOrder);
        }
    }

    @Test
    void metadataMatchesApartFromTheDocumentedDifferences() throws Exception {
        try (GgufFile ours = GgufFile.open(converted);
                GgufFile ref = GgufFile.open(REFERENCE)) {
            Set<String> differing = new LinkedHashSet<>();
            for (String key : ref.metadata().keys()) {
                GgufValue r = ref.metadata().get(key).orElseThrow();
                GgufValue o = ours.metadata().get(key).orElse(null);
                if (!r.equals(o)) {
                    differing.add(key);
                }
            }
            // general.name: llama.cpp writes "llama"; we name the model after the checkpoint.
            // llama.context_length: llama.cpp's converter writes its --ctx default (128), not the
            // checkpoint's seq_len (512), which is what the model was trained for.
            assertThat(differing).containsExactlyInAnyOrder("general.name", "llama.context_length");
            assertThat(ref.metadata().getInt("llama.context_length")).isEqualTo(128);
            assertThat(ours.metadata().getInt("llama.context_length")).isEqualTo(512);
            assertThat(ours.metadata().getString("general.name")).isEqualTo("stories260K");

            Set<String> extra = new LinkedHashSet<>(ours.metadata().keys());
            extra.removeAll(ref.metadata().keys());
            assertThat(extra).containsExactlyInAnyOrder("general.file_type", "llama.rope.freq_base",
                    "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_space_prefix");

            // the vocab in detail (already covered by equals above, spelled out for the reader)
            assertThat(ours.metadata().getStringArray("tokenizer.ggml.tokens"))
                    .containsExactlyElementsOf(ref.metadata().getStringArray("tokenizer.ggml.tokens"));
            float[] ourScores = ours.metadata().getFloatArray("tokenizer.ggml.scores");
            float[] refScores = ref.metadata().getFloatArray("tokenizer.ggml.scores");
            assertThat(ourScores).hasSize(512);
            for (int i = 0; i < 512; i++) {
                assertThat(Float.floatToRawIntBits(ourScores[i])).as("score %d", i)
                        .isEqualTo(Float.floatToRawIntBits(refScores[i]));
            }
            assertThat(ours.metadata().getIntArray("tokenizer.ggml.token_type"))
                    .containsExactly(ref.metadata().getIntArray("tokenizer.ggml.token_type"));
        }
    }
}
