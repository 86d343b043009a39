package dev.morphserve.api;

/**
 * A client-facing failure with everything OpenAI's error shape needs. Thrown by validation and
 * request preparation; {@link ApiExceptionMappers} turns it into the response.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String param, String code, String message) {
        super(message, null, false, false); // no stack trace: these are expected outcomes, not bugs
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 naming the offending request field. */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    /** 400 for a parameter this server does not implement: refused rather than silently dropped. */
    public static ApiException unsupportedParameter(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "unsupported_parameter", message);
    }

    public static ApiException modelNotFound(String requested, String served) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + requested + "' does not exist; this server serves '" + served + "'");
    }

    public static ApiException contextExceeded(String param, int promptTokens, int contextTokens) {
        return new ApiException(400, "invalid_request_error", param, "context_length_exceeded",
                "This model's maximum context length is " + contextTokens + " tokens, but the prompt has "
                        + promptTokens + " tokens and at least 1 token must be generated ("
                        + (promptTokens + 1) + " > " + contextTokens + "). Shorten the prompt.");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
