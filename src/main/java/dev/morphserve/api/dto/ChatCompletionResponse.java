package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A non-streamed {@code chat.completion}. */
public record ChatCompletionResponse(
        @JsonProperty("id") String id,
        @JsonProperty("object") String object,
        @JsonProperty("created") long createdSeconds,
        @JsonProperty("model") String model,
        @JsonProperty("choices") List<Choice> choices,
        @JsonProperty("usage") Usage usage) {

    public static final String OBJECT = "chat.completion";

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(
            @JsonProperty("index") int index,
            @JsonProperty("message") Message message,
            @JsonProperty("finish_reason") String finishReason,
            @JsonProperty("logprobs") Object logprobs) {}

    public record Message(@JsonProperty("role") String role, @JsonProperty("content") String content) {}
}
