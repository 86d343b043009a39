package dev.morphserve.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.engine.Sampler;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * llama.cpp's reference runs of the small random-weight models in {@code ../shared/models/refs/models}
 * (format and tolerances in that folder's README), and the two ways the tests replay them: the
 * 16-token prompt as one batch with every position's logits, and greedy decoding after it.
 */
public final class RefModels {
    private RefModels() {}

    public static Path model(String name) {
        return SharedData.require("models/refs/models/" + name + ".gguf");
    }

    /** The JSON beside {@code name}.gguf: logits_all, greedy_ids, f32_activation_reference, ... */
    public static JsonNode reference(String name) {
        try {
            return new ObjectMapper().readTree(SharedData.require("models/refs/models/" + name + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** [positions x vocab] logits of the prompt decoded as one batch at positions 0.., as the references were. */
    public static float[] prefillLogits(ModelRunner runner, int[] prompt) {
        try (SequenceKv cache = runner.sequenceKv(prompt.length)) {
            return runner.forward(ForwardBatch.ofSequence(prompt, 0, cache.table(), true), cache.cache());
        }
    }

    /** Greedy ids after the prompt: argmax of the last logits (ties to the lowest id), one token at a time. */
    public static int[] greedy(ModelRunner runner, int[] prompt, int count) {
        int vocab = runner.config().vocabSize();
        int[] ids = new int[count];
        try (SequenceKv cache = runner.sequenceKv(prompt.length + count)) {
            float[] logits = runner.forward(ForwardBatch.ofSequence(prompt, 0, cache.table(), false), cache.cache());
            for (int i = 0; i < count; i++) {
                ids[i] = Sampler.argmax(logits, 0, vocab);
                if (i + 1 < count) {
                    logits = runner.forward(
                            ForwardBatch.ofSequence(new int[] {ids[i]}, prompt.length + i, cache.table(), false), cache.cache());
                }
            }
        }
        return ids;
    }

    /** max |logits - rows| over rows [positions][vocab] of a reference. */
    public static double maxAbsDiff(float[] logits, JsonNode rows) {
        int vocab = rows.get(0).size();
        double max = 0;
        for (int p = 0; p < rows.size(); p++) {
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, Math.abs(logits[p * vocab + v] - rows.get(p).get(v).asDouble()));
            }
        }
        return max;
    }

    /** Index of the largest value of a reference row (the first on ties). */
    public static int argmax(JsonNode row) {
        int best = 0;
        for (int v = 1; v < row.size(); v++) {
            if (row.get(v).asDouble() > row.get(best).asDouble()) {
                best = v;
            }
        }
        return best;
    }
}
