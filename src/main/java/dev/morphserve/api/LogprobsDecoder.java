package dev.morphserve.api;

import dev.morphserve.engine.TokenLogprobs;
import dev.morphserve.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the engine's token ids in logprobs into text and bytes. A token decodes in the context of
 * the token before it (SentencePiece drops a leading space after BOS), and so do its alternatives:
 * they stand at the same position. A byte-fallback token that holds part of a UTF-8 character
 * shows as U+FFFD in {@code token}; {@code bytes} keeps the exact bytes, as OpenAI's chat API does.
 */
final class LogprobsDecoder {
    private final Tokenizer tokenizer;

    LogprobsDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    TokenLogprob decode(int previousId, TokenLogprobs logprobs) {
        List<TokenLogprob.Alternative> top = new ArrayList<>(logprobs.top().size());
        for (TokenLogprobs.Candidate c : logprobs.top()) {
            byte[] bytes = tokenizer.decodeBytes(previousId, c.tokenId());
            top.add(new TokenLogprob.Alternative(text(bytes), bytes, c.logprob()));
        }
        byte[] bytes = tokenizer.decodeBytes(previousId, logprobs.tokenId());
        return new TokenLogprob(text(bytes), bytes, logprobs.logprob(), top);
    }

    /** The prompt's tokens with their logprobs ({@code scored[p - 1]} for token p); the first has none. */
    List<TokenLogprob> prompt(int[] promptTokens, List<TokenLogprobs> scored) {
        List<TokenLogprob> out = new ArrayList<>(promptTokens.length);
        byte[] first = tokenizer.decodeBytes(-1, promptTokens[0]);
        out.add(new TokenLogprob(text(first), first, null, null));
        for (int p = 1; p < promptTokens.length; p++) {
            out.add(decode(promptTokens[p - 1], scored.get(p - 1)));
        }
        return out;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
