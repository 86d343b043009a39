package dev.morphserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}: GPT-2, Llama 3, Qwen2, DeepSeek) with
 * llama.cpp's semantics: special tokens first ({@link SpecialTokens}), then the pre-tokenizer cuts
 * the text into words, each word's UTF-8 bytes become GPT-2's stand-in characters
 * ({@link ByteLevelAlphabet}) and are merged by rank ({@link BpeMerges}); each resulting symbol is
 * one vocabulary piece. Every byte has a piece, so any text encodes and decodes back exactly.
 */
public final class BpeTokenizer implements Tokenizer {
    private final Vocabulary vocabulary;
    private final BpeMerges merges;
    private final PreTokenizer preTokenizer;
    private final SpecialTokens specialTokens;

    BpeTokenizer(Vocabulary vocabulary, BpeMerges merges, PreTokenizer preTokenizer, SpecialTokens specialTokens) {
        this.vocabulary = vocabulary;
        this.merges = merges;
        this.preTokenizer = preTokenizer;
        this.specialTokens = specialTokens;
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int[] encode(List<TextSegment> segments, boolean addBos) {
        if (addBos && vocabulary.bosId() < 0) {
            throw new IllegalStateException("this vocabulary has no BOS token (tokenizer.ggml.bos_token_id)");
        }
        return specialTokens.encode(segments, addBos ? vocabulary.bosId() : -1, this::encodeText);
    }

    private void encodeText(String text, IntStream.Builder ids) {
        for (String word : preTokenizer.split(text)) {
            String symbols = ByteLevelAlphabet.encode(word);
            int whole = preTokenizer.ignoreMerges() ? vocabulary.idOf(symbols) : -1;
            if (whole >= 0) {
                ids.add(whole);
                continue;
            }
            for (String symbol : merges.apply(symbols)) {
                int id = vocabulary.idOf(symbol);
                if (id >= 0) {
                    ids.add(id);
                    continue;
                }
                // A merge result missing from the vocabulary (a malformed file): fall back to its
                // characters; llama.cpp drops what it cannot find, as this does.
                symbol.chars().map(c -> vocabulary.idOf(Character.toString(c))).filter(i -> i >= 0).forEach(ids::add);
            }
        }
    }

    @Override
    public byte[] decodeBytes(int previousId, int id) {
        if (vocabulary.isSpecial(id)) {
            return new byte[0];
        }
        if (vocabulary.isUserDefined(id)) {
            return vocabulary.piece(id).getBytes(StandardCharsets.UTF_8); // added as text, not bytes
        }
        if (vocabulary.tokenTypes()[id] != Vocabulary.TYPE_NORMAL) {
            return new byte[0]; // unused and undefined pieces stand for nothing, as in llama.cpp
        }
        return ByteLevelAlphabet.decode(vocabulary.piece(id));
    }
}
