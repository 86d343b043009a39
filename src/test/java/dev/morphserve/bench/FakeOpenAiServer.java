package dev.morphserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in OpenAI-compatible server for tests: streams {@code max_tokens} completion chunks, the
 * first after {@code firstTokenDelayMs} and the others {@code interTokenDelayMs} apart, then a usage
 * chunk and {@code [DONE]}. Every {@code failEvery}-th request (counting from 1) is answered 503 like
 * a full waiting queue. The bodies it received are kept for assertions.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final long firstTokenDelayMs;
    private final long interTokenDelayMs;
    private final int failEvery;
    private final boolean sendUsage;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

    public FakeOpenAiServer(long firstTokenDelayMs, long interTokenDelayMs, int failEvery, Integer contextTokens, boolean sendUsage)
            throws IOException {
        this.firstTokenDelayMs = firstTokenDelayMs;
        this.interTokenDelayMs = interTokenDelayMs;
        this.failEvery = failEvery;
        this.sendUsage = sendUsage;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/v1/completions", this::completions);
        String model = contextTokens == null ? "{\"id\":\"fake-model\"}" : "{\"id\":\"fake-model\",\"max_model_len\":" + contextTokens + "}";
        server.createContext("/v1/models", exchange -> respond(exchange, 200, "{\"object\":\"list\",\"data\":[" + model + "]}"));
        server.start();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<JsonNode> bodies() {
        return bodies;
    }

    private void completions(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        bodies.add(body);
        int n = counter.incrementAndGet();
        if (failEvery > 0 && n % failEvery == 0) {
            respond(exchange, 503, "{\"error\":{\"message\":\"waiting queue is full\",\"type\":\"server_error\",\"code\":503}}");
            return;
        }
        int maxTokens = body.path("max_tokens").asInt(16);
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0); // chunked: each flush goes out at once
        try (OutputStream out = exchange.getResponseBody()) {
            sleep(firstTokenDelayMs);
            for (int i = 0; i < maxTokens; i++) {
                if (i > 0) {
                    sleep(interTokenDelayMs);
                }
                String finish = i == maxTokens - 1 ? "\"length\"" : "null";
                event(out, "{\"id\":\"cmpl-" + n + "\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" t" + i
                        + "\",\"finish_reason\":" + finish + "}]}");
            }
            if (sendUsage) {
                // Prompts are words, one token each, after the BOS.
                int prompt = body.path("prompt").asText().split(" ").length + 1;
                event(out, "{\"id\":\"cmpl-" + n + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                        + maxTokens + ",\"total_tokens\":" + (prompt + maxTokens) + "}}");
            }
            event(out, "[DONE]");
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
