package dev.morphserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What {@code GET /v1/models} tells about the server: the first model's id and, where the server
 * says it, its context length (vLLM: {@code max_model_len}; llama.cpp: {@code meta.n_ctx_train};
 * others: {@code context_length} or {@code context_window}). Best effort: a server that answers
 * differently, or not at all, gives {@link #UNKNOWN} and the caller falls back to its defaults.
 */
public record ServerInfo(String modelId, Integer contextTokens) {
    public static final ServerInfo UNKNOWN = new ServerInfo(null, null);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ServerInfo fetch(HttpClient http, URI baseUri) {
        try {
            HttpRequest request = HttpRequest.newBuilder(resolve(baseUri, "v1/models")).timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return UNKNOWN;
            }
            return parse(JSON.readTree(response.body()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        } catch (Exception e) {
            return UNKNOWN;
        }
    }

    static ServerInfo parse(JsonNode models) {
        JsonNode data = models.path("data");
        if (!data.isArray() || data.isEmpty()) {
            return UNKNOWN;
        }
        JsonNode first = data.get(0);
        String id = first.hasNonNull("id") ? first.get("id").asText() : null;
        for (JsonNode candidate : new JsonNode[] {
            first.get("max_model_len"), first.get("context_length"), first.get("context_window"), first.path("meta").get("n_ctx_train")
        }) {
            if (candidate != null && candidate.canConvertToInt() && candidate.asInt() > 1) {
                return new ServerInfo(id, candidate.asInt());
            }
        }
        return new ServerInfo(id, null);
    }

    /**
     * {@code base/path}, tolerating a base given with a trailing slash or with the {@code /v1} suffix
     * that OpenAI client settings usually carry.
     */
    public static URI resolve(URI baseUri, String path) {
        String base = baseUri.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.endsWith("/v1")) {
            base = base.substring(0, base.length() - 3);
        }
        return URI.create(base + "/" + path);
    }
}
