package dev.morphserve.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's tokenizer test vectors ({@code ../shared/models/refs/vocab/<name>.json}): texts with
 * the ids llama.cpp gives them without BOS/EOS and without parsing special tokens.
 */
record VocabVectors(String name, List<Vector> vectors) {

    record Vector(int index, String text, int[] ids, String source) {
        @Override
        public String toString() {
            return "#" + index + " (" + source + ") " + text.replace("\n", "\\n");
        }
    }

    static VocabVectors load(String name) {
        try {
            JsonNode root = new ObjectMapper().readTree(SharedData.require("models/refs/vocab/" + name + ".json").toFile());
            List<Vector> vectors = new ArrayList<>();
            for (JsonNode entry : root) {
                vectors.add(new Vector(vectors.size(), entry.get("text").asText(), SharedData.ints(entry.get("ids")),
                        entry.get("source").asText()));
            }
            return new VocabVectors(name, vectors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tokenizer llama.cpp's vocab-only GGUF for {@code name} describes. */
    static Tokenizer tokenizer(String name) {
        try (GgufFile file = GgufFile.open(SharedData.require("models/refs/vocab/ggml-vocab-" + name + ".gguf"))) {
            return Tokenizers.fromGguf(file.metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
