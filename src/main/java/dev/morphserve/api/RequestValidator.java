package dev.morphserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.api.dto.GenerationOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the options both endpoints share and names the offending field. Ranges follow OpenAI
 * (temperature [0, 2], penalties [-2, 2]) and vLLM (top_k -1 or >= 0, min_p [0, 1],
 * repetition_penalty > 0).
 */
public final class RequestValidator {
    /** OpenAI allows at most four stop sequences; vLLM allows more. We follow vLLM but stay bounded. */
    static final int MAX_STOP_STRINGS = 16;

    private RequestValidator() {}

    /** @param maxTokensParam the name the client used for the max-tokens field */
    public static void validate(GenerationOptions o, String maxTokensParam) {
        if (o.maxTokens() != null && o.maxTokens() < 1) {
            throw ApiException.badRequest(maxTokensParam, maxTokensParam + " must be at least 1, got " + o.maxTokens());
        }
        range("temperature", o.temperature(), 0, 2);
        if (o.topP() != null && !(o.topP() > 0 && o.topP() <= 1)) {
            throw ApiException.badRequest("top_p", "top_p must be in (0, 1], got " + o.topP());
        }
        if (o.topK() != null && o.topK() < -1) {
            throw ApiException.badRequest("top_k", "top_k must be -1 (disabled) or at least 0, got " + o.topK());
        }
        range("min_p", o.minP(), 0, 1);
        range("frequency_penalty", o.frequencyPenalty(), -2, 2);
        range("presence_penalty", o.presencePenalty(), -2, 2);
        if (o.repetitionPenalty() != null && !(o.repetitionPenalty() > 0 && o.repetitionPenalty() <= 2)) {
            throw ApiException.badRequest("repetition_penalty", "repetition_penalty must be in (0, 2], got " + o.repetitionPenalty());
        }
        stopStrings(o.stop());
    }

    private static void range(String param, Double value, double min, double max) {
        if (value != null && !(value >= min && value <= max)) {
            throw ApiException.badRequest(param, param + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + value);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code stop}: absent, a string, or an array of strings; empty strings are dropped (they would match everywhere). */
    public static List<String> stopStrings(JsonNode stop) {
        List<String> result = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return result;
        }
        if (stop.isTextual()) {
            addStop(result, stop.asText());
            return result;
        }
        if (!stop.isArray()) {
            throw ApiException.badRequest("stop", "stop must be a string or an array of strings");
        }
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw ApiException.badRequest("stop", "stop must be a string or an array of strings");
            }
            addStop(result, s.asText());
        }
        if (result.size() > MAX_STOP_STRINGS) {
            throw ApiException.badRequest("stop", "at most " + MAX_STOP_STRINGS + " stop strings are supported, got " + result.size());
        }
        return result;
    }

    private static void addStop(List<String> stops, String s) {
        if (!s.isEmpty()) {
            stops.add(s);
        }
    }
}
