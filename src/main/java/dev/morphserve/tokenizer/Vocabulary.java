package dev.morphserve.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's vocabulary as GGUF stores it ({@code tokenizer.ggml.*}): pieces, merge scores and
 * token types, plus the special ids. Pieces are kept as the file spells them; SentencePiece files
 * from llama.cpp write the word boundary as U+2581, llama2.c exports write a plain space, byte-level
 * BPE files write bytes as GPT-2's printable stand-ins ({@link ByteLevelAlphabet}).
 *
 * @param bosId -1 when the model has none (some byte-level BPE files)
 * @param eosId -1 when the model has none
 * @param endOfGenerationIds sorted ids that end generation: EOS, EOT, EOM and the end-of-turn
 *                           tokens llama.cpp recognises by their text
 */
public record Vocabulary(
        List<String> pieces,
        float[] scores,
        int[] tokenTypes,
        int bosId,
        int eosId,
        int unknownId,
        boolean addBos,
        boolean addSpacePrefix,
        int[] endOfGenerationIds,
        Map<String, Integer> idsByPiece) {

    /** GGUF token types (llama.cpp {@code llama_token_type}). */
    public static final int TYPE_NORMAL = 1;

    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;
    public static final int TYPE_BYTE = 6;

    public Vocabulary {
        pieces = List.copyOf(pieces);
        if (scores.length != pieces.size() || tokenTypes.length != pieces.size()) {
            throw new IllegalArgumentException("vocabulary has " + pieces.size() + " pieces but " + scores.length
                    + " scores and " + tokenTypes.length + " token types");
        }
        endOfGenerationIds = Arrays.stream(endOfGenerationIds).distinct().sorted().toArray();
    }

    /** A vocabulary whose only end-of-generation token is EOS. */
    public static Vocabulary of(
            List<String> pieces,
            float[] scores,
            int[] tokenTypes,
            int bosId,
            int eosId,
            int unknownId,
            boolean addBos,
            boolean addSpacePrefix) {
        int[] endOfGeneration = eosId >= 0 ? new int[] {eosId} : new int[0];
        return of(pieces, scores, tokenTypes, bosId, eosId, unknownId, addBos, addSpacePrefix, endOfGeneration);
    }

    public static Vocabulary of(
            List<String> pieces,
            float[] scores,
            int[] tokenTypes,
            int bosId,
            int eosId,
            int unknownId,
            boolean addBos,
            boolean addSpacePrefix,
            int[] endOfGenerationIds) {
        Map<String, Integer> ids = new HashMap<>(pieces.size() * 2);
        for (int i = 0; i < pieces.size(); i++) {
            // First occurrence wins, as in SentencePiece: later duplicates are unreachable by encode.
            ids.putIfAbsent(pieces.get(i), i);
        }
        return new Vocabulary(
                pieces, scores, tokenTypes, bosId, eosId, unknownId, addBos, addSpacePrefix, endOfGenerationIds, ids);
    }

    public int size() {
        return pieces.size();
    }

    public String piece(int id) {
        return pieces.get(id);
    }

    /** Id of an exact piece, or -1. */
    public int idOf(String piece) {
        Integer id = idsByPiece.get(piece);
        return id == null ? -1 : id;
    }

    public boolean isByte(int id) {
        return tokenTypes[id] == TYPE_BYTE;
    }

    public boolean isControl(int id) {
        return tokenTypes[id] == TYPE_CONTROL;
    }

    public boolean isUserDefined(int id) {
        return tokenTypes[id] == TYPE_USER_DEFINED;
    }

    /** Control and unknown tokens: markup that plain text never produces and decoding hides. */
    public boolean isSpecial(int id) {
        return tokenTypes[id] == TYPE_CONTROL || tokenTypes[id] == TYPE_UNKNOWN;
    }

    /** True for EOS, EOT, EOM and the other tokens that end a turn: generation stops there. */
    public boolean isEndOfGeneration(int id) {
        return Arrays.binarySearch(endOfGenerationIds, id) >= 0;
    }
}
