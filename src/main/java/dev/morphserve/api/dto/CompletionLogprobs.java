package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The legacy completions {@code logprobs} object: parallel lists, one entry per token. With
 * {@code echo}, the first prompt token has a null logprob and null alternatives (nothing precedes
 * it). {@code top_logprobs} maps token text to logprob and always holds the sampled token, so it
 * may have one entry more than asked (OpenAI's rule).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CompletionLogprobs(
        @JsonProperty("tokens") List<String> tokens,
        @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
        @JsonProperty("top_logprobs") List<Map<String, Float>> topLogprobs,
        @JsonProperty("text_offset") List<Integer> textOffset) {}
