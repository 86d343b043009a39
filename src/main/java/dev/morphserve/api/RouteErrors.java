package dev.morphserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.ErrorResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers from a Vert.x route, before any resource runs, in OpenAI's error shape. Clients write
 * the whole body before they read the answer: closing at once would give them a broken pipe
 * instead of the error, so the body is read and dropped, up to a bound.
 */
final class RouteErrors {
    /** What a refused request may still send before its connection is closed. */
    static final long DEFAULT_DRAIN_LIMIT_BYTES = 1 << 20;

    private RouteErrors() {}

    static void send(RoutingContext ctx, ObjectMapper mapper, int status, ErrorResponse error, long drainLimitBytes) {
        String body;
        try {
            body = mapper.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long[] drainedBytes = {0};
        var request = ctx.request();
        request.handler(buffer -> {
            drainedBytes[0] += buffer.length();
            if (drainedBytes[0] > drainLimitBytes) {
                request.connection().close();
            }
        });
        request.resume();
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}
