package dev.morphserve.engine;

import java.util.Objects;

/**
 * What the API hands the engine: token ids in, token ids out. Text concerns (chat templates,
 * detokenization, stop strings) stay in the API layer.
 *
 * @param maxTokens      tokens to generate at most, per sequence (the engine also stops when the context is full)
 * @param ignoreEos      keep generating past EOS (benchmarks that need exact output lengths)
 * @param n              sequences to generate from the one prompt (OpenAI's {@code n}); they share the
 *                       prompt's KV blocks and sample with seeds {@code seed, seed + 1, ...}
 * @param promptLogprobs -1: none; k in [0, 20]: report the logprob of every prompt token after the
 *                       first, with k alternatives (OpenAI's {@code echo} with {@code logprobs})
 */
public record GenerationRequest(
        String requestId, int[] promptTokens, SamplingParams sampling, int maxTokens, boolean ignoreEos, int n, int promptLogprobs) {
    /** The most sequences one request may ask for. */
    public static final int MAX_N = 16;

    public GenerationRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(sampling, "sampling");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("prompt has no tokens");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        }
        if (n < 1 || n > MAX_N) {
            throw new IllegalArgumentException("n must be in [1, " + MAX_N + "], got " + n);
        }
        if (promptLogprobs < -1 || promptLogprobs > Logprobs.MAX_TOP) {
            throw new IllegalArgumentException("prompt logprobs must be -1 (off) or in [0, 20], got " + promptLogprobs);
        }
    }

    /** One sequence, no prompt logprobs. */
    public GenerationRequest(String requestId, int[] promptTokens, SamplingParams sampling, int maxTokens, boolean ignoreEos) {
        this(requestId, promptTokens, sampling, maxTokens, ignoreEos, 1, -1);
    }

    public boolean wantsPromptLogprobs() {
        return promptLogprobs >= 0;
    }
}
