package dev.morphserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.ErrorResponse;
import dev.morphserve.server.ServeConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * API keys as vLLM and llama-server take them: {@code Authorization: Bearer <key>} on every route
 * but health and the dashboard's static files (and, as configured, metrics and morph events); state
 * changes need an admin key when one is set. A Vert.x route rather than a JAX-RS filter, so that it
 * also guards the routes Quarkus serves outside JAX-RS ({@code /q/metrics}).
 */
@ApplicationScoped
public class ApiKeyFilter {
    /** Ahead of every other route, the body limit included: an anonymous client learns nothing else. */
    private static final int ORDER = -30;

    /** SHA-256 digests: comparing digests of equal length takes the same time whatever the key. */
    private final List<byte[]> apiKeyDigests;
    private final List<byte[]> adminKeyDigests;
    private final ServeConfig.Auth open;
    private final ObjectMapper mapper;

    ApiKeyFilter(ServeConfig config, ObjectMapper mapper) {
        this.apiKeyDigests = digests(config.apiKeys().orElse(List.of()), "morphserve.api-keys");
        this.adminKeyDigests = digests(config.adminApiKeys().orElse(List.of()), "morphserve.admin-api-keys");
        this.open = config.auth();
        this.mapper = mapper;
    }

    void register(@Observes Router router) {
        if (apiKeyDigests.isEmpty() && adminKeyDigests.isEmpty()) {
            return;
        }
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean stateChange = ctx.request().method() == HttpMethod.POST && path.startsWith("/v1/morph");
        if (stateChange && !adminKeyDigests.isEmpty()) {
            require(ctx, adminKeyDigests, "this route changes the server's state and needs an admin key (morphserve.admin-api-keys)");
        } else if (isOpen(path) || apiKeyDigests.isEmpty()) {
            ctx.next();
        } else {
            require(ctx, apiKeyDigests, null);
        }
    }

    private boolean isOpen(String path) {
        return isDashboard(path)
                || path.startsWith("/q/health")
                || (open.metricsPublic() && path.startsWith("/q/metrics"))
                || (open.morphEventsPublic() && path.equals("/v1/morph/events"));
    }

    /**
     * The dashboard's page and assets (META-INF/resources): they hold no data, and the page has to
     * load before it can ask for the key its own requests then send.
     */
    static boolean isDashboard(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith("/dashboard/");
    }

    /** @param forbidden the 403 message for a valid API key that is not enough here; null if any valid key is */
    private void require(RoutingContext ctx, List<byte[]> accepted, String forbidden) {
        String key = bearerToken(ctx.request().getHeader("Authorization"));
        if (key == null) {
            reject(ctx, 401, "Missing API key: send it as 'Authorization: Bearer <key>'");
        } else if (matches(key, accepted)) {
            ctx.next();
        } else if (forbidden != null && matches(key, apiKeyDigests)) {
            reject(ctx, 403, "Permission denied: " + forbidden);
        } else {
            reject(ctx, 401, "Incorrect API key provided");
        }
    }

    private static String bearerToken(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    private static boolean matches(String key, List<byte[]> accepted) {
        byte[] digest = sha256(key);
        boolean found = false;
        for (byte[] candidate : accepted) {
            found |= MessageDigest.isEqual(digest, candidate); // no early exit: timing does not tell which
        }
        return found;
    }

    private void reject(RoutingContext ctx, int status, String message) {
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        String code = status == 401 ? "invalid_api_key" : "insufficient_permissions";
        RouteErrors.send(ctx, mapper, status, ErrorResponse.of(message, "invalid_request_error", null, code), RouteErrors.DEFAULT_DRAIN_LIMIT_BYTES);
    }

    private static List<byte[]> digests(List<String> keys, String property) {
        for (String key : keys) {
            if (key.isBlank() || !key.strip().equals(key)) {
                throw new IllegalStateException(property + ": a key is blank or has surrounding spaces; give keys as a comma-separated list");
            }
        }
        return keys.stream().map(ApiKeyFilter::sha256).toList();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
