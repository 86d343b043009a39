package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /v1/completions}. {@code prompt} is a string or an array of token ids (as vLLM
 * accepts); it stays a JsonNode so that a wrong shape becomes a 400 naming the field instead of
 * a generic parse error. {@code user} is accepted and ignored; {@code best_of} and {@code suffix}
 * exist only to be refused by name ({@code UnsupportedParameters}) unless they ask for nothing.
 * {@code logprobs} here is the legacy integer (alternatives per token); {@code echo} returns the
 * prompt before the completion.
 */
public record CompletionRequest(
        @JsonProperty("model") String model,
        @JsonProperty("prompt") JsonNode prompt,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("min_p") Double minP,
        @JsonProperty("seed") Long seed,
        @JsonProperty("stop") JsonNode stop,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("ignore_eos") Boolean ignoreEos,
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("n") Integer n,
        @JsonProperty("user") String user,
        @JsonProperty("best_of") Integer bestOf,
        @JsonProperty("suffix") String suffix,
        @JsonProperty("logprobs") Integer logprobs,
        @JsonProperty("echo") Boolean echo,
        @JsonProperty("logit_bias") JsonNode logitBias)
        implements GenerationOptions {}
