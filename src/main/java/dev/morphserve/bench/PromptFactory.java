package dev.morphserve.bench;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Prompts as text made of random common English words, so that any server takes them whatever its
 * vocabulary. Random token ids would give exact lengths without a tokenizer, but on a byte-level
 * BPE vocabulary (Llama 3, Qwen) many ids are pieces of a multi-byte character: decoded on the
 * server they are invalid UTF-8, and llama-server refused such a prompt ("Failed to parse input").
 *
 * <p>Every word here is one token, with its leading space, in the small stories260K vocabulary and
 * in the Llama 2 and Llama 3 vocabularies, so a prompt of N tokens is the server's BOS plus N - 1
 * words (at least one word: an empty prompt is refused by most servers). The text is ASCII, hence
 * always valid UTF-8. Each request's words depend only on the seed and the request's index, not on
 * which thread or when it is built; random words also keep a server's prefix cache from making the
 * numbers look better than the trace.
 */
public record PromptFactory(long seed) {
    /** Whole words, each one token after a space; see the class comment. */
    static final List<String> WORDS = List.of(
            "the", "to", "and", "he", "was", "her", "it", "in", "day", "be", "with", "said", "play", "his", "up", "that",
            "on", "mom", "she", "you", "they", "big", "friend", "little", "time", "had", "we", "there", "so", "for",
            "want", "happy", "saw", "named", "but", "very", "do", "upon");

    /** How the prompts are made, for reports. */
    public static final String DESCRIPTION = "random common English words, one token each after the BOS";

    /** Text of about {@code tokens} tokens (BOS included) for request {@code index}. */
    public String text(int index, int tokens) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int words = Math.max(1, tokens - 1);
        StringBuilder text = new StringBuilder(words * 6);
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(WORDS.get(random.nextInt(WORDS.size())));
        }
        return text.toString();
    }
}
