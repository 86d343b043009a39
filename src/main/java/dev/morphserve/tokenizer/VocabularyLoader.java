package dev.morphserve.tokenizer;

import dev.morphserve.gguf.GgufMetadata;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Reads {@code tokenizer.ggml.*} into a {@link Vocabulary} with llama.cpp's defaults for absent
 * keys: SentencePiece files default to BOS 1, EOS 2, unknown 0, BOS added and a dummy space
 * prefix; byte-level BPE files have no default special ids, add no space and add BOS only where
 * the pre-tokenizer says so (Llama 3).
 */
final class VocabularyLoader {
    /**
     * Tokens that end a turn whatever their type says, as llama.cpp recognises them by text; they
     * are treated as control tokens (never parsed from plain text, decoded as nothing), as there.
     */
    private static final Set<String> END_OF_TURN_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>",
            "<|end_of_text|>");
    /**
     * Also an end of turn, but only where it is not an ordinary piece: Phi-3 types it user-defined,
     * while Qwen2's byte-level vocabulary has it as plain text that merges produce.
     */
    private static final String SENTENCE_END = "</s>";

    private VocabularyLoader() {}

    static Vocabulary sentencePiece(GgufMetadata metadata) {
        return load(metadata, 1, 2, 0, true, true);
    }

    static Vocabulary bytePair(GgufMetadata metadata, boolean addBosByDefault) {
        return load(metadata, -1, -1, -1, addBosByDefault, false);
    }

    private static Vocabulary load(
            GgufMetadata metadata, int bosDefault, int eosDefault, int unknownDefault, boolean addBos, boolean spacePrefix) {
        List<String> pieces = metadata.getStringArray("tokenizer.ggml.tokens");
        int size = pieces.size();
        float[] scores = metadata.has("tokenizer.ggml.scores")
                ? metadata.getFloatArray("tokenizer.ggml.scores")
                : new float[size];
        int[] types = metadata.has("tokenizer.ggml.token_type")
                ? metadata.getIntArray("tokenizer.ggml.token_type").clone()
                : defaultTypes(pieces);
        int bos = id(metadata, "tokenizer.ggml.bos_token_id", bosDefault, size);
        int eos = id(metadata, "tokenizer.ggml.eos_token_id", eosDefault, size);
        boolean addBosToken = metadata.getBool("tokenizer.ggml.add_bos_token", addBos);
        if (addBosToken && bos < 0) {
            throw new IllegalArgumentException(
                    "tokenizer.ggml.add_bos_token is true but the file sets no tokenizer.ggml.bos_token_id");
        }
        IntStream.Builder endOfGeneration = IntStream.builder();
        for (int id : new int[] {
            eos, id(metadata, "tokenizer.ggml.eot_token_id", -1, size), id(metadata, "tokenizer.ggml.eom_token_id", -1, size)
        }) {
            if (id >= 0) {
                endOfGeneration.add(id);
            }
        }
        for (int id = 0; id < size; id++) {
            String piece = pieces.get(id);
            if (END_OF_TURN_TEXTS.contains(piece) || (piece.equals(SENTENCE_END) && types[id] != Vocabulary.TYPE_NORMAL)) {
                endOfGeneration.add(id);
                types[id] = Vocabulary.TYPE_CONTROL;
            }
        }
        return Vocabulary.of(
                pieces,
                scores,
                types,
                bos,
                eos,
                id(metadata, "tokenizer.ggml.unknown_token_id", unknownDefault, size),
                addBosToken,
                metadata.getBool("tokenizer.ggml.add_space_prefix", spacePrefix),
                endOfGeneration.build().toArray());
    }

    /** A special token id, or the default when absent; an id outside the vocabulary counts as absent. */
    private static int id(GgufMetadata metadata, String key, int defaultId, int size) {
        if (!metadata.has(key)) {
            return defaultId;
        }
        long id = metadata.getLong(key);
        return id >= 0 && id < size ? (int) id : -1;
    }

    private static int[] defaultTypes(List<String> pieces) {
        int[] types = new int[pieces.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = pieces.get(i).matches("<0x[0-9A-F]{2}>") ? Vocabulary.TYPE_BYTE : Vocabulary.TYPE_NORMAL;
        }
        return types;
    }
}
