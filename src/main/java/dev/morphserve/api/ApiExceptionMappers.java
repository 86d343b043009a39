package dev.morphserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonParseException;
import dev.morphserve.api.dto.ErrorResponse;
import dev.morphserve.engine.EngineOverloadedException;
import dev.morphserve.engine.EngineShutdownException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure leaves as OpenAI's error shape. Jackson's exceptions get mappers of their exact
 * types because Quarkus REST picks the mapper nearest to the thrown type and ships its own for
 * some of them. Nothing here echoes a stack trace to the client.
 */
public class ApiExceptionMappers {
    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.getMessage(), e.type(), e.param(), e.code());
    }

    @ServerExceptionMapper
    public Response overloaded(EngineOverloadedException e) {
        return Response.fromResponse(error(503, e.getMessage(), "server_overloaded", null, "overloaded"))
                .header("Retry-After", Math.max(1, e.retryAfterSeconds()))
                .build();
    }

    /**
     * One mapper per Jackson type that Quarkus REST or Jackson itself may throw, since the mapper
     * nearest to the thrown type wins and Quarkus ships its own for some of them.
     */
    @ServerExceptionMapper
    public Response shuttingDown(EngineShutdownException e) {
        return Response.fromResponse(error(503, e.getMessage(), "server_error", null, "server_shutting_down"))
                .header("Retry-After", EngineShutdownException.RETRY_AFTER_SECONDS)
                .build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e) {
        return api(JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        return api(JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response wrongFormat(InvalidFormatException e) {
        return api(JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return api(JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response badMapping(JsonMappingException e) {
        return api(JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return api(JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST wraps parse errors (NaN, duplicates, bad syntax) in a bare 400.
            return api(JsonErrors.describe(json));
        }
        int status = e.getResponse().getStatus();
        String message = status == 413 ? "Request body too large" : e.getMessage();
        return error(status, message, status >= 500 ? "server_error" : "invalid_request_error", null, null);
    }

    /**
     * Reading the body failed: the client went away, or a chunked body passed the size limit (then
     * Quarkus has already answered a bare 413 and closed the connection, so this is not seen).
     */
    @ServerExceptionMapper
    public Response unreadableBody(java.io.IOException e) {
        boolean tooLarge = String.valueOf(e.getMessage()).contains("too large");
        LOG.debugf("could not read a request body: %s", e.getMessage());
        return error(tooLarge ? 413 : 400, tooLarge ? "Request body too large" : "Could not read the request body",
                "invalid_request_error", null, tooLarge ? "request_too_large" : null);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure while serving a request", e);
        return error(500, "Internal server error (" + e.getClass().getSimpleName() + ")", "server_error", null, null);
    }

    /** The error event of a stream that already started (its status line is gone). */
    static ErrorResponse describe(Throwable e) {
        return switch (e) {
            case ApiException api -> ErrorResponse.of(api.getMessage(), api.type(), api.param(), api.code());
            case EngineOverloadedException o -> ErrorResponse.of(o.getMessage(), "server_overloaded", null, "overloaded");
            case EngineShutdownException s -> ErrorResponse.of(s.getMessage(), "server_error", null, "server_shutting_down");
            default -> {
                LOG.error("generation failed mid-stream", e);
                yield ErrorResponse.of("Generation failed (" + e.getClass().getSimpleName() + ")", "server_error", null, null);
            }
        };
    }

    static Response error(int status, String message, String type, String param, String code) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorResponse.of(message, type, param, code))
                .build();
    }
}
