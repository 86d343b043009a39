package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A {@code text_completion} object: the whole answer (non-streaming) or one streamed chunk (then
 * {@code usage} is absent, except in the final usage chunk whose {@code choices} are empty).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record CompletionResponse(
        @JsonProperty("id") String id,
        @JsonProperty("object") String object,
        @JsonProperty("created") long createdSeconds,
        @JsonProperty("model") String model,
        @JsonProperty("choices") List<Choice> choices,
        @JsonProperty("usage") Usage usage) {

    public static final String OBJECT = "text_completion";

    /** {@code logprobs} is a {@link CompletionLogprobs} when asked for, else null but present, as OpenAI's clients expect it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(
            @JsonProperty("index") int index,
            @JsonProperty("text") String text,
            @JsonProperty("finish_reason") String finishReason,
            @JsonProperty("logprobs") Object logprobs) {

        public static Choice of(String text, String finishReason) {
            return new Choice(0, text, finishReason, null);
        }

        public static Choice of(int index, String text, String finishReason, CompletionLogprobs logprobs) {
            return new Choice(index, text, finishReason, logprobs);
        }
    }
}
