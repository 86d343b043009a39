package dev.morphserve.api;

import dev.morphserve.api.dto.ChatLogprobs;
import dev.morphserve.api.dto.CompletionLogprobs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes {@link TokenLogprob}s as the two APIs spell them. A logprob of minus infinity (a token
 * the model rules out) has no JSON form: it is clamped to -9999, as vLLM does.
 */
final class LogprobsFormat {
    private static final float FLOOR = -9999f;

    private LogprobsFormat() {}

    /**
     * The legacy completions object for some tokens of one choice; {@code textOffset} is where the
     * first token's text starts in the choice's text. Text offsets add up the tokens' own texts.
     */
    static CompletionLogprobs completion(List<TokenLogprob> entries, int textOffset) {
        List<String> tokens = new ArrayList<>(entries.size());
        List<Float> logprobs = new ArrayList<>(entries.size());
        List<Map<String, Float>> tops = new ArrayList<>(entries.size());
        List<Integer> offsets = new ArrayList<>(entries.size());
        int offset = textOffset;
        for (TokenLogprob e : entries) {
            tokens.add(e.token());
            offsets.add(offset);
            offset += e.token().length();
            if (e.logprob() == null) {
                logprobs.add(null);
                tops.add(null);
                continue;
            }
            logprobs.add(clamp(e.logprob()));
            Map<String, Float> top = new LinkedHashMap<>();
            for (TokenLogprob.Alternative a : e.top()) {
                top.putIfAbsent(a.token(), clamp(a.logprob()));
            }
            top.putIfAbsent(e.token(), clamp(e.logprob())); // the sampled token is always there (OpenAI)
            tops.add(top);
        }
        return new CompletionLogprobs(tokens, logprobs, tops, offsets);
    }

    /** How far {@link #completion} moved the text offset. */
    static int textLength(List<TokenLogprob> entries) {
        int length = 0;
        for (TokenLogprob e : entries) {
            length += e.token().length();
        }
        return length;
    }

    static ChatLogprobs chat(List<TokenLogprob> entries) {
        List<ChatLogprobs.Entry> content = new ArrayList<>(entries.size());
        for (TokenLogprob e : entries) {
            List<ChatLogprobs.Top> top = new ArrayList<>(e.top().size());
            for (TokenLogprob.Alternative a : e.top()) {
                top.add(new ChatLogprobs.Top(a.token(), clamp(a.logprob()), unsigned(a.bytes())));
            }
            content.add(new ChatLogprobs.Entry(e.token(), clamp(e.logprob()), unsigned(e.bytes()), top));
        }
        return new ChatLogprobs(content);
    }

    private static float clamp(float logprob) {
        return Math.max(FLOOR, logprob);
    }

    /** OpenAI lists bytes as integers 0..255. */
    private static List<Integer> unsigned(byte[] bytes) {
        List<Integer> out = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            out.add(b & 0xFF);
        }
        return out;
    }
}
