package dev.morphserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.ErrorResponse;
import dev.morphserve.server.ServeConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Keeps other web sites from using this server through a visitor's browser. A page may send a
 * "simple" cross-site POST (no Content-Type, or a form type) without the browser asking first;
 * requiring {@code application/json} forces the CORS preflight this server never grants, and a
 * foreign {@code Origin} is refused outright unless configured.
 */
@ApplicationScoped
public class StateChangeGuard {
    private static final int ORDER = -29;

    private final List<String> allowedOrigins;
    private final ObjectMapper mapper;

    StateChangeGuard(ServeConfig config, ObjectMapper mapper) {
        this.allowedOrigins = config.allowedOrigins().orElse(List.of()).stream().map(StateChangeGuard::normalize).toList();
        this.mapper = mapper;
    }

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        boolean changesState = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH || method == HttpMethod.DELETE;
        if (!changesState || !ctx.normalizedPath().startsWith("/v1/")) {
            ctx.next();
            return;
        }
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !allowed(origin, ctx.request().getHeader("Host"))) {
            RouteErrors.send(ctx, mapper, 403, ErrorResponse.of("Cross-origin request from " + origin
                    + " refused; to allow pages of that site, add it to morphserve.allowed-origins",
                    "invalid_request_error", null, "origin_not_allowed"), RouteErrors.DEFAULT_DRAIN_LIMIT_BYTES);
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !isJson(type)) {
            RouteErrors.send(ctx, mapper, 415, ErrorResponse.of("Content-Type must be application/json, got "
                    + (type == null ? "none" : "'" + type + "'"), "invalid_request_error", null, "unsupported_media_type"), RouteErrors.DEFAULT_DRAIN_LIMIT_BYTES);
            return;
        }
        ctx.next();
    }

    private boolean allowed(String origin, String host) {
        String normalized = normalize(origin);
        if (allowedOrigins.contains("*") || allowedOrigins.contains(normalized)) {
            return true;
        }
        try {
            URI uri = URI.create(normalized);
            return host != null && uri.getRawAuthority() != null && uri.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false; // "null" (sandboxed frames, file://) and junk are foreign
        }
    }

    private static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json");
    }

    private static String normalize(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
