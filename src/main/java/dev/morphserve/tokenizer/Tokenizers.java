package dev.morphserve.tokenizer;

import dev.morphserve.gguf.GgufMetadata;
import org.jboss.logging.Logger;

/** Builds the tokenizer a GGUF file asks for ({@code tokenizer.ggml.model}, {@code tokenizer.ggml.pre}). */
public final class Tokenizers {
    private static final Logger LOG = Logger.getLogger(Tokenizers.class);

    private Tokenizers() {}

    public static Tokenizer fromGguf(GgufMetadata metadata) {
        String model = metadata.findString("tokenizer.ggml.model").orElse("llama");
        String name = metadata.findString("general.name").orElse("");
        return switch (model) {
            case "llama" -> {
                Vocabulary vocabulary = VocabularyLoader.sentencePiece(metadata);
                yield new SentencePieceTokenizer(vocabulary, SpecialTokens.forModel(vocabulary, name));
            }
            case "gpt2" -> {
                PreTokenizer pre = preTokenizer(metadata);
                Vocabulary vocabulary = VocabularyLoader.bytePair(metadata, pre.addBosByDefault());
                BpeMerges merges = new BpeMerges(metadata.getStringArray("tokenizer.ggml.merges"));
                yield new BpeTokenizer(vocabulary, merges, pre, SpecialTokens.forModel(vocabulary, name));
            }
            default ->
                throw new UnsupportedOperationException("tokenizer.ggml.model = '" + model + "' is not supported;"
                        + " supported: 'llama' (SentencePiece) and 'gpt2' (byte-level BPE)");
        };
    }

    private static PreTokenizer preTokenizer(GgufMetadata metadata) {
        if (metadata.has("tokenizer.ggml.pre")) {
            return PreTokenizer.named(metadata.getString("tokenizer.ggml.pre"));
        }
        // What llama.cpp does for files converted before pre-tokenizers were recorded.
        LOG.warn("this GGUF names no tokenizer.ggml.pre; using the 'default' BPE pre-tokenizer as llama.cpp does,"
                + " which may split words differently from the model's own tokenizer");
        return PreTokenizer.DEFAULT;
    }
}
