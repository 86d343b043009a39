package dev.morphserve.tokenizer;

import java.util.List;

/**
 * Text to token ids and back. Implementations: {@link SentencePieceTokenizer} for
 * {@code tokenizer.ggml.model = llama} and {@link BpeTokenizer} (GPT-2, Llama 3, Qwen2 style
 * byte-level BPE) for {@code tokenizer.ggml.model = gpt2}.
 */
public sealed interface Tokenizer permits SentencePieceTokenizer, BpeTokenizer {

    Vocabulary vocabulary();

    /**
     * Encodes segments in order, with BOS first when {@code addBos}; special tokens count only
     * where a segment is {@link TextSegment.Markup}. Text is joined across segment boundaries, so
     * segments encode as their concatenation would wherever no special token is at stake.
     */
    int[] encode(List<TextSegment> segments, boolean addBos);

    /** Encodes text in which special tokens are plain text (llama.cpp's {@code parse_special = false}). */
    default int[] encode(String text, boolean addBos) {
        return encode(List.of(new TextSegment.Plain(text)), addBos);
    }

    /** Encodes text in which {@code <|im_start|>} and the like become their ids. */
    default int[] encodeWithSpecialTokens(String text, boolean addBos) {
        return encode(List.of(new TextSegment.Markup(text)), addBos);
    }

    /**
     * The bytes a token stands for, given the token before it ({@code -1} at the start of the
     * text): SentencePiece drops the leading space of the first piece, the one its encoder added.
     * Byte tokens give their raw byte, so a multi-byte character may span several tokens:
     * {@link TokenDecoder} reassembles them. Control tokens (BOS, EOS, end of turn) give nothing.
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
