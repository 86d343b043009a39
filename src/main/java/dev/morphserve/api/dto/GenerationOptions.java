package dev.morphserve.api.dto;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sampling and output options that completions and chat completions share, so that one
 * validator and one mapper serve both. Boxed types: null means "not given, use the default".
 */
public interface GenerationOptions {
    String model();

    /** Tokens to generate at most; chat prefers {@code max_completion_tokens}. */
    Integer maxTokens();

    Double temperature();

    Double topP();

    Integer topK();

    Double minP();

    Long seed();

    /** A string, an array of strings, or null. */
    JsonNode stop();

    Double repetitionPenalty();

    Double frequencyPenalty();

    Double presencePenalty();

    Boolean ignoreEos();

    Boolean stream();

    StreamOptions streamOptions();

    Integer n();

    /** An object of token id (as a string) to bias, or null. */
    JsonNode logitBias();

    default boolean streaming() {
        return Boolean.TRUE.equals(stream());
    }

    default boolean includeUsage() {
        return streamOptions() != null && Boolean.TRUE.equals(streamOptions().includeUsage());
    }
}
