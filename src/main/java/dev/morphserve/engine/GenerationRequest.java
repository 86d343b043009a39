package dev.morphserve.engine;

import java.util.Objects;

/**
 * What the API hands the engine: token ids in, token ids out. Text concerns (chat templates,
 * detokenization, stop strings) stay in the API layer.
 *
 * @param maxTokens   tokens to generate at most (the engine also stops when the context is full)
 * @param ignoreEos   keep generating past EOS (benchmarks that need exact output lengths)
 */
public record GenerationRequest(String requestId, int[] promptTokens, SamplingParams sampling, int maxTokens, boolean ignoreEos) {
    public GenerationRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(sampling, "sampling");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("prompt has no tokens");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        }
    }
}
