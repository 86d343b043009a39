package dev.morphserve.tokenizer;

import dev.morphserve.gguf.GgufMetadata;
import java.util.List;

/** Builds the tokenizer a GGUF file asks for ({@code tokenizer.ggml.model}). */
public final class Tokenizers {
    private Tokenizers() {}

    public static Tokenizer fromGguf(GgufMetadata metadata) {
        String model = metadata.findString("tokenizer.ggml.model").orElse("llama");
        return switch (model) {
            case "llama" -> new SentencePieceTokenizer(vocabulary(metadata, true));
            case "gpt2" ->
                throw new UnsupportedOperationException(
                        "tokenizer.ggml.model = gpt2 (byte-level BPE, Llama 3 / GPT-2 style) is not supported yet;"
                                + " use a model with a SentencePiece vocabulary (tokenizer.ggml.model = llama)");
            default ->
                throw new UnsupportedOperationException(
                        "tokenizer.ggml.model = '" + model + "' is not supported; expected 'llama'");
        };
    }

    static Vocabulary vocabulary(GgufMetadata metadata, boolean sentencePiece) {
        List<String> pieces = metadata.getStringArray("tokenizer.ggml.tokens");
        float[] scores = metadata.has("tokenizer.ggml.scores")
                ? metadata.getFloatArray("tokenizer.ggml.scores")
                : new float[pieces.size()];
        int[] types = metadata.has("tokenizer.ggml.token_type")
                ? metadata.getIntArray("tokenizer.ggml.token_type")
                : defaultTypes(pieces);
        return Vocabulary.of(
                pieces,
                scores,
                types,
                metadata.getInt("tokenizer.ggml.bos_token_id", 1),
                metadata.getInt("tokenizer.ggml.eos_token_id", 2),
                metadata.getInt("tokenizer.ggml.unknown_token_id", 0),
                metadata.getBool("tokenizer.ggml.add_bos_token", true),
                metadata.getBool("tokenizer.ggml.add_space_prefix", sentencePiece));
    }

    private static int[] defaultTypes(List<String> pieces) {
        int[] types = new int[pieces.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = pieces.get(i).matches("<0x[0-9A-F]{2}>") ? Vocabulary.TYPE_BYTE : Vocabulary.TYPE_NORMAL;
        }
        return types;
    }
}
