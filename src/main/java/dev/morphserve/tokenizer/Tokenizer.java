package dev.morphserve.tokenizer;

/**
 * Text to token ids and back. Implementations: {@link SentencePieceTokenizer} for
 * {@code tokenizer.ggml.model = llama}; a GPT-2/Llama-3 byte-level BPE tokenizer
 * ({@code tokenizer.ggml.model = gpt2}) will sit beside it behind this same interface.
 */
public sealed interface Tokenizer permits SentencePieceTokenizer {

    Vocabulary vocabulary();

    /** Encodes text, with BOS first when {@code addBos}. */
    int[] encode(String text, boolean addBos);

    /**
     * The bytes a token stands for, given the token before it (SentencePiece drops the leading
     * space of the first piece after BOS). Byte tokens give their raw byte, so a multi-byte
     * character may span several tokens: {@link TokenDecoder} reassembles them.
     */
    byte[] decodeBytes(int previousId, int id);

    default String decode(int[] ids) {
        TokenDecoder decoder = new TokenDecoder(this);
        StringBuilder text = new StringBuilder();
        int previous = -1;
        for (int id : ids) {
            text.append(decoder.next(previous, id));
            previous = id;
        }
        return text.append(decoder.flush()).toString();
    }
}
