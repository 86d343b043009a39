package dev.morphserve.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}. {@code max_completion_tokens} (OpenAI's newer name) wins
 * over the deprecated {@code max_tokens} when both are given. The tool and response-format fields
 * exist only to be refused by name ({@code UnsupportedParameters}) unless they ask for nothing.
 * {@code logprobs} is a flag here; {@code top_logprobs} says how many alternatives.
 */
public record ChatCompletionRequest(
        @JsonProperty("model") String model,
        @JsonProperty("messages") List<ChatMessage> messages,
        @JsonProperty("max_tokens") Integer legacyMaxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
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
        @JsonProperty("tools") JsonNode tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls,
        @JsonProperty("functions") JsonNode functions,
        @JsonProperty("function_call") JsonNode functionCall,
        @JsonProperty("response_format") JsonNode responseFormat,
        @JsonProperty("logprobs") Boolean logprobs,
        @JsonProperty("top_logprobs") Integer topLogprobs,
        @JsonProperty("logit_bias") JsonNode logitBias)
        implements GenerationOptions {

    @Override
    public Integer maxTokens() {
        return maxCompletionTokens != null ? maxCompletionTokens : legacyMaxTokens;
    }

    /** The field name a max-tokens error should point at. */
    public String maxTokensParam() {
        return maxCompletionTokens != null ? "max_completion_tokens" : "max_tokens";
    }
}
