package dev.morphserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.ErrorResponse;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers oversized bodies with 413 in OpenAI's error shape. Quarkus enforces
 * {@code quarkus.http.limits.max-body-size} itself (route order -2) but replies with an empty
 * body; this route runs just before it for bodies that declare their length, and a failure
 * handler reshapes the 413 that chunked bodies hit while being read.
 */
@ApplicationScoped
public class BodyLimitFilter {
    /** Just ahead of Quarkus's RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT (-2). */
    private static final int ORDER = -3;

    /** How much of an oversized body we read (and drop) before giving up on the connection. */
    private static final long DRAIN_LIMIT_FACTOR = 4;

    private final Optional<MemorySize> maxBodySize;
    private final ObjectMapper mapper;

    BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize, ObjectMapper mapper) {
        this.maxBodySize = maxBodySize;
        this.mapper = mapper;
    }

    void register(@Observes Router router) {
        if (maxBodySize.isEmpty()) {
            return;
        }
        long limitBytes = maxBodySize.get().asLongValue();
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && parse(length) > limitBytes) {
                tooLarge(ctx, limitBytes);
            } else {
                ctx.next();
            }
        });
        router.route().order(ORDER).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                tooLarge(ctx, limitBytes);
            } else {
                ctx.next();
            }
        });
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x rejects a malformed Content-Length itself
        }
    }

    private void tooLarge(RoutingContext ctx, long limitBytes) {
        RouteErrors.send(ctx, mapper, 413, ErrorResponse.of("Request body too large: the limit is " + limitBytes + " bytes",
                "invalid_request_error", null, "request_too_large"), DRAIN_LIMIT_FACTOR * limitBytes);
    }
}
