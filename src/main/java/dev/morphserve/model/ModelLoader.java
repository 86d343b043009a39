package dev.morphserve.model;

import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufFormatException;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorCodec;
import dev.morphserve.tokenizer.Tokenizer;
import dev.morphserve.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maps a GGUF file and builds a Llama-family model from it, tensor names as llama.cpp writes them:
 * {@code llama} (with Llama 3.1's {@code rope_freqs.weight} when present) and {@code qwen2} (Q/K/V
 * biases); the output matrix is {@code output.weight}, or the token embedding when the model ties them.
 */
public final class ModelLoader {
    private ModelLoader() {}

    public static LoadedModel load(Path path) throws IOException {
        return load(path, 0);
    }

    /**
     * @param contextLength positions to serve, overriding {@code <arch>.context_length} when
     *                      positive (llama.cpp's converters sometimes record a smaller default
     *                      than the model was trained with; stories260K.gguf says 128, not 512)
     */
    public static LoadedModel load(Path path, int contextLength) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new java.io.FileNotFoundException("model file not found: " + path.toAbsolutePath());
        }
        GgufFile file = GgufFile.open(path);
        try {
            Tensor embedding = file.tensor("token_embd.weight");
            ModelConfig config = config(file, embedding.rows());
            Tokenizer tokenizer = Tokenizers.fromGguf(file.metadata());
            if (contextLength > 0) {
                config = config.withContextLength(contextLength);
            }
            if (tokenizer.vocabulary().size() > config.vocabSize()) {
                throw new GgufFormatException("vocabulary has " + tokenizer.vocabulary().size()
                        + " tokens but token_embd.weight only " + config.vocabSize() + " rows");
            }
            LayerWeights[] layers = new LayerWeights[config.numLayers()];
            for (int i = 0; i < layers.length; i++) {
                layers[i] = layer(file, config, i);
            }
            checkShape(embedding, config.vocabSize(), config.dim());
            // A model without output.weight ties its output matrix to the embedding (llama.cpp does the same).
            Tensor output = file.findTensor("output.weight").isPresent()
                    ? matrix(file, "output.weight", config.vocabSize(), config.dim())
                    : embedding;
            WeightsTable weights = new WeightsTable(embedding, vector(file, "output_norm.weight", config.dim()), output, layers);
            return new LoadedModel(file, config, tokenizer, weights);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static ModelConfig config(GgufFile file, int vocabSize) throws GgufFormatException {
        ModelConfig config;
        try {
            config = ModelConfig.fromGguf(file.metadata(), vocabSize);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedModelException(e.getMessage());
        }
        if (file.findTensor("rope_freqs.weight").isPresent()) {
            config = config.withRopeFrequencyFactors(vector(file, "rope_freqs.weight", config.ropeDim() / 2));
        }
        return config;
    }

    private static LayerWeights layer(GgufFile file, ModelConfig c, int i) throws GgufFormatException {
        String p = "blk." + i + ".";
        return new LayerWeights(
                vector(file, p + "attn_norm.weight", c.dim()),
                matrix(file, p + "attn_q.weight", c.dim(), c.dim()),
                matrix(file, p + "attn_k.weight", c.kvDim(), c.dim()),
                matrix(file, p + "attn_v.weight", c.kvDim(), c.dim()),
                matrix(file, p + "attn_output.weight", c.dim(), c.dim()),
                vector(file, p + "ffn_norm.weight", c.dim()),
                matrix(file, p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                matrix(file, p + "ffn_up.weight", c.ffnDim(), c.dim()),
                matrix(file, p + "ffn_down.weight", c.dim(), c.ffnDim()),
                bias(file, c, p));
    }

    /** qwen2 always has Q/K/V biases; a llama file may carry them too (llama.cpp reads them when present). */
    private static AttentionBias bias(GgufFile file, ModelConfig c, String prefix) throws GgufFormatException {
        boolean present = file.findTensor(prefix + "attn_q.bias").isPresent();
        if (!present && !c.architecture().equals("qwen2")) {
            return AttentionBias.NONE;
        }
        return new AttentionBias.Qkv(
                vector(file, prefix + "attn_q.bias", c.dim()),
                vector(file, prefix + "attn_k.bias", c.kvDim()),
                vector(file, prefix + "attn_v.bias", c.kvDim()));
    }

    /** A weight matrix of the expected shape ({@link GgufFile#tensor} refuses types without kernels, naming them). */
    private static Tensor matrix(GgufFile file, String name, int rows, int cols) throws GgufFormatException {
        Tensor t = file.tensor(name);
        checkShape(t, rows, cols);
        return t;
    }

    private static void checkShape(Tensor t, int rows, int cols) throws GgufFormatException {
        if (t.rows() != rows || t.cols() != cols) {
            throw new GgufFormatException("tensor '" + t.name() + "' has shape [" + t.cols() + ", " + t.rows()
                    + "], expected [" + cols + ", " + rows + "] from the model's metadata");
        }
    }

    private static float[] vector(GgufFile file, String name, int length) throws GgufFormatException {
        Tensor t = file.tensor(name);
        checkShape(t, 1, length);
        float[] values = new float[length];
        TensorCodec.decodeRow(t, 0, values, 0);
        return values;
    }
}
