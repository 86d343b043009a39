package dev.morphserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.api.dto.ChatCompletionRequest;
import dev.morphserve.api.dto.CompletionRequest;

/**
 * OpenAI parameters this server does not implement. Each is refused with a 400 naming it
 * ({@code unsupported_parameter}) instead of being dropped, except for the values that ask for
 * nothing and that SDKs send by default: no tools, {@code tool_choice: "none"}, plain-text output,
 * {@code best_of} equal to one.
 */
final class UnsupportedParameters {
    private UnsupportedParameters() {}

    static void check(CompletionRequest body) {
        if (body.bestOf() != null && body.bestOf() != 1 && !body.bestOf().equals(body.n())) {
            throw refuse("best_of", "best_of (ranking several candidates server-side) is not supported; use n to get several choices");
        }
        if (body.suffix() != null && !body.suffix().isEmpty()) {
            throw refuse("suffix", "suffix (fill-in-the-middle) is not supported by this server");
        }
    }

    static void check(ChatCompletionRequest body) {
        if (given(body.tools()) && !(body.tools().isArray() && body.tools().isEmpty())) {
            throw refuse("tools", "tools (function calling) are not supported by this server");
        }
        if (given(body.functions())) {
            throw refuse("functions", "functions (function calling) are not supported by this server");
        }
        if (given(body.toolChoice()) && !isText(body.toolChoice(), "none")) {
            throw refuse("tool_choice", "tool_choice other than \"none\" is not supported: this server has no function calling");
        }
        if (given(body.functionCall()) && !isText(body.functionCall(), "none")) {
            throw refuse("function_call", "function_call other than \"none\" is not supported: this server has no function calling");
        }
        if (given(body.responseFormat()) && !isText(body.responseFormat().path("type"), "text")) {
            throw refuse("response_format", "response_format other than {\"type\": \"text\"} (JSON mode, JSON schema) is not supported");
        }
    }

    private static boolean given(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static boolean isText(JsonNode node, String value) {
        return node.isTextual() && node.asText().equals(value);
    }

    private static ApiException refuse(String param, String message) {
        return ApiException.unsupportedParameter(param, message);
    }
}
