package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One streamed {@code chat.completion.chunk}. The first carries {@code delta.role}, the last
 * content chunk {@code finish_reason}; the optional usage chunk has no choices.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ChatCompletionChunk(
        @JsonProperty("id") String id,
        @JsonProperty("object") String object,
        @JsonProperty("created") long createdSeconds,
        @JsonProperty("model") String model,
        @JsonProperty("choices") List<Choice> choices,
        @JsonProperty("usage") Usage usage) {

    public static final String OBJECT = "chat.completion.chunk";

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(
            @JsonProperty("index") int index,
            @JsonProperty("delta") Delta delta,
            @JsonProperty("finish_reason") String finishReason,
            @JsonProperty("logprobs") Object logprobs) {}

    /** Absent fields are left out: {@code {}} is how OpenAI ends a stream's deltas. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(@JsonProperty("role") String role, @JsonProperty("content") String content) {}
}
