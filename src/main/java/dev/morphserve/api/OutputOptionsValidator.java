package dev.morphserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.api.dto.ChatCompletionRequest;
import dev.morphserve.api.dto.CompletionRequest;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.LogitBias;
import dev.morphserve.engine.Logprobs;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks {@code n}, {@code logit_bias}, {@code logprobs}/{@code top_logprobs} and {@code echo} and
 * names the offending field. Limits: n up to 16 (each choice holds KV blocks of its own beyond the
 * shared prompt); up to 20 alternatives per token for both endpoints (vLLM's limit; OpenAI allows 5
 * for legacy completions and 20 for chat, and no client breaks on the larger bound).
 */
public final class OutputOptionsValidator {
    private OutputOptionsValidator() {}

    public static OutputOptions completion(CompletionRequest body, int vocabularySize) {
        int n = n(body.n());
        LogitBias bias = logitBias(body.logitBias(), vocabularySize);
        int logprobs = -1;
        if (body.logprobs() != null) {
            logprobs = topCount("logprobs", body.logprobs());
        }
        boolean echo = Boolean.TRUE.equals(body.echo());
        return new OutputOptions(n, bias, logprobs, echo, echo ? logprobs : -1);
    }

    public static OutputOptions chat(ChatCompletionRequest body, int vocabularySize) {
        int n = n(body.n());
        LogitBias bias = logitBias(body.logitBias(), vocabularySize);
        boolean wanted = Boolean.TRUE.equals(body.logprobs());
        if (body.topLogprobs() != null && !wanted) {
            throw ApiException.badRequest("top_logprobs", "top_logprobs requires logprobs to be true");
        }
        int logprobs = wanted ? (body.topLogprobs() == null ? 0 : topCount("top_logprobs", body.topLogprobs())) : -1;
        return new OutputOptions(n, bias, logprobs, false, -1);
    }

    private static int n(Integer n) {
        if (n == null) {
            return 1;
        }
        if (n < 1 || n > GenerationRequest.MAX_N) {
            throw ApiException.badRequest("n", "n must be in [1, " + GenerationRequest.MAX_N + "], got " + n);
        }
        return n;
    }

    private static int topCount(String param, int value) {
        if (value < 0 || value > Logprobs.MAX_TOP) {
            throw ApiException.badRequest(param, param + " must be in [0, " + Logprobs.MAX_TOP + "], got " + value);
        }
        return value;
    }

    /** An object whose keys are token ids in the vocabulary and whose values are numbers in [-100, 100]. */
    static LogitBias logitBias(JsonNode node, int vocabularySize) {
        if (node == null || node.isNull()) {
            return LogitBias.NONE;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("logit_bias", "logit_bias must be an object mapping token ids to biases");
        }
        Map<Integer, Float> bias = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey().strip());
            } catch (NumberFormatException notANumber) {
                throw ApiException.badRequest("logit_bias", "logit_bias key '" + e.getKey() + "' is not a token id");
            }
            if (id < 0 || id >= vocabularySize) {
                throw ApiException.badRequest("logit_bias",
                        "logit_bias key " + id + " is outside the vocabulary (0.." + (vocabularySize - 1) + ")");
            }
            JsonNode value = e.getValue();
            if (!value.isNumber() || !(Math.abs(value.doubleValue()) <= LogitBias.MAX_ABS_BIAS)) {
                throw ApiException.badRequest("logit_bias",
                        "logit_bias value for token " + id + " must be a number in [-100, 100], got " + value);
            }
            if (bias.put(id, value.floatValue()) != null) {
                throw ApiException.badRequest("logit_bias", "logit_bias names token " + id + " twice");
            }
        }
        return LogitBias.of(bias);
    }
}
