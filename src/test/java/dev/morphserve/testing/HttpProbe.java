package dev.morphserve.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Plain HTTP against a running server, for the end-to-end tests: JSON in, status and body out. */
public final class HttpProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    public HttpProbe(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public record Answer(int status, Map<String, List<String>> headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        /** The {@code data: } payloads of an event stream, [DONE] included. */
        public List<String> data() {
            return body.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        }
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
    }

    public Answer post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().map(), response.body());
    }

    public HttpClient client() {
        return client;
    }

    /**
     * After a fault: the engine holds no request and every KV block is free (the engine publishes
     * its state after each step, so this polls briefly), and a fresh request is served.
     */
    public void assertQuiescentAndServing() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode state = get("/v1/morph").json();
        while (!quiescent(state) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            state = get("/v1/morph").json();
        }
        assertThat(state.path("queue").path("running").asInt()).as("running requests: %s", state.path("queue")).isZero();
        assertThat(state.path("queue").path("waiting").asInt()).as("waiting requests: %s", state.path("queue")).isZero();
        assertThat(state.path("kv_cache").path("free_blocks").asInt()).as("free KV blocks: %s", state.path("kv_cache"))
                .isEqualTo(state.path("kv_cache").path("total_blocks").asInt());
        Answer fresh = post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"temperature\":0}");
        assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
        assertThat(fresh.json().path("usage").path("completion_tokens").asInt()).isPositive();
    }

    private static boolean quiescent(JsonNode state) {
        return state.path("queue").path("running").asInt() == 0 && state.path("queue").path("waiting").asInt() == 0
                && state.path("kv_cache").path("free_blocks").asInt() == state.path("kv_cache").path("total_blocks").asInt();
    }
}
