package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Token counts of one request. {@code swapped_tokens} is our extension: completion tokens
 * generated while at least one layer ran in its quantized variant.
 */
public record Usage(
        @JsonProperty("prompt_tokens") int promptTokens,
        @JsonProperty("completion_tokens") int completionTokens,
        @JsonProperty("total_tokens") int totalTokens,
        @JsonProperty("swapped_tokens") int swappedTokens) {

    public static Usage of(int promptTokens, int completionTokens, int swappedTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, swappedTokens);
    }
}
