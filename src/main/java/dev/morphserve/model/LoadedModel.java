package dev.morphserve.model;

import dev.morphserve.gguf.GgufFile;
import dev.morphserve.tokenizer.Tokenizer;

/**
 * A model ready to run: its hyper-parameters, tokenizer and weights. Weights are views of the
 * mmapped file, so the file stays open for the model's lifetime.
 */
public record LoadedModel(GgufFile file, ModelConfig config, Tokenizer tokenizer, WeightsTable weights)
        implements AutoCloseable {

    @Override
    public void close() {
        file.close();
    }
}
