package dev.morphserve.model;

import dev.morphserve.gguf.GgufWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A SentencePiece-shaped vocabulary for synthetic models: the special tokens, 256 byte tokens,
 * single letters and then letter pairs and triples with and without the U+2581 word boundary,
 * scored so that longer pieces merge first. Enough for prompts to tokenize and outputs to decode.
 *
 * <pre>
 * 0 &lt;unk&gt;  1 &lt;s&gt;  2 &lt;/s&gt;  3..258 &lt;0x00&gt;..&lt;0xFF&gt;  259.. pieces
 * </pre>
 */
final class SyntheticVocabulary {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

    private SyntheticVocabulary() {}

    static void addTo(GgufWriter writer, int size) {
        if (size < 259 + LETTERS.length()) {
            throw new IllegalArgumentException("vocabulary of " + size + " is too small for a synthetic model");
        }
        List<String> pieces = new ArrayList<>(size);
        List<Integer> types = new ArrayList<>(size);
        pieces.add("<unk>");
        types.add(2);
        pieces.add("<s>");
        types.add(3);
        pieces.add("</s>");
        types.add(3);
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        pieces.add("\u2581");
        types.add(1);
        for (char c : LETTERS.toCharArray()) {
            if (pieces.size() < size) {
                pieces.add(String.valueOf(c));
                types.add(1);
            }
        }
        for (int length = 2; pieces.size() < size; length++) {
            addWords(pieces, types, size, length);
        }
        float[] scores = new float[size];
        int[] tokenTypes = new int[size];
        for (int i = 0; i < size; i++) {
            // Longer pieces score higher so that merging prefers them, as trained vocabularies do.
            scores[i] = types.get(i) == 1 ? pieces.get(i).length() - i * 1e-4f : 0f;
            tokenTypes[i] = types.get(i);
        }
        writer.putString("tokenizer.ggml.model", "llama");
        writer.putStringArray("tokenizer.ggml.tokens", pieces);
        writer.putFloat32Array("tokenizer.ggml.scores", scores);
        writer.putInt32Array("tokenizer.ggml.token_type", tokenTypes);
        writer.putUInt32("tokenizer.ggml.bos_token_id", 1);
        writer.putUInt32("tokenizer.ggml.eos_token_id", 2);
        writer.putUInt32("tokenizer.ggml.unknown_token_id", 0);
    }

    private static void addWords(List<String> pieces, List<Integer> types, int size, int length) {
        int count = (int) Math.pow(LETTERS.length(), length);
        for (int i = 0; i < count && pieces.size() < size; i++) {
            StringBuilder word = new StringBuilder();
            for (int k = 0, v = i; k < length; k++, v /= LETTERS.length()) {
                word.append(LETTERS.charAt(v % LETTERS.length()));
            }
            pieces.add(word.toString());
            types.add(1);
            if (pieces.size() < size) {
                pieces.add("\u2581" + word);
                types.add(1);
            }
        }
    }
}
