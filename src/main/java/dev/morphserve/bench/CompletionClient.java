package dev.morphserve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends one streamed {@code POST /v1/completions} and turns the response into a {@link RequestRecord}.
 * The body is read by a line subscriber as bytes arrive (never buffered whole), so token timings are
 * the client's receive times. Non-200 answers are read as text and kept as the error.
 */
public final class CompletionClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI completionsUri;
    private final String modelName;
    private final PromptFactory prompts;
    private final Duration requestTimeout;

    /**
     * @param baseUri        server root; the request goes to {@code baseUri/v1/completions}
     * @param modelName      sent as {@code model}, or left out when null
     * @param requestTimeout limit for the whole request, from send to the end of the stream
     */
    public CompletionClient(HttpClient http, URI baseUri, String modelName, PromptFactory prompts, Duration requestTimeout) {
        this.http = http;
        this.completionsUri = ServerInfo.resolve(baseUri, "v1/completions");
        this.modelName = modelName;
        this.prompts = prompts;
        this.requestTimeout = requestTimeout;
    }

    public static HttpClient newHttpClient() {
        // HTTP/1.1 as vLLM's client uses: one connection per in-flight stream, no h2c upgrade dance.
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Starts the request now and returns at once; the future never fails, a failure becomes a
     * record with {@code success = false}.
     *
     * @param runStartNanos the run's time origin, for the record's schedule offsets
     */
    public CompletableFuture<RequestRecord> send(int index, TimedRequest request, long runStartNanos) {
        HttpRequest httpRequest = HttpRequest.newBuilder(completionsUri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body(index, request)))
                .build();
        StreamRecorder recorder = new StreamRecorder();
        long sendNanos = System.nanoTime();
        double sendMs = (sendNanos - runStartNanos) / 1e6;
        double scheduledMs = request.arrivalMs();
        AtomicInteger status = new AtomicInteger(); // kept for failures after the headers (stream cut)
        HttpResponse.BodyHandler<RequestRecord> handler = info -> {
            status.set(info.statusCode());
            return info.statusCode() == 200
                    ? BodySubscribers.fromLineSubscriber(recorder, r -> r.toRecord(index, scheduledMs, sendMs, sendNanos, request),
                            StandardCharsets.UTF_8, null)
                    : BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), text -> RequestRecord.failed(
                            index, scheduledMs, sendMs, request, info.statusCode(), "HTTP " + info.statusCode(),
                            "HTTP " + info.statusCode() + ": " + SseParser.abbreviate(text.strip())));
        };
        CompletableFuture<HttpResponse<RequestRecord>> exchange = http.sendAsync(httpRequest, handler);
        // HttpRequest.timeout only bounds the wait for headers; a stream that stalls after them
        // would hang the run, so the whole exchange is cancelled (which aborts it) at the deadline.
        CompletableFuture.delayedExecutor(requestTimeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> exchange.cancel(true));
        return exchange
                .thenApply(HttpResponse::body)
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof CancellationException || cause instanceof HttpTimeoutException) {
                        return RequestRecord.failed(index, scheduledMs, sendMs, request, status.get(), "Timeout",
                                "no complete response within " + requestTimeout.toMillis() / 1000.0 + " s");
                    }
                    String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
                    return RequestRecord.failed(index, scheduledMs, sendMs, request, status.get(), cause.getClass().getSimpleName(), message);
                });
    }

    String body(int index, TimedRequest request) {
        ObjectNode body = JSON.createObjectNode();
        if (modelName != null) {
            body.put("model", modelName);
        }
        body.put("prompt", prompts.text(index, request.promptTokens()));
        body.put("max_tokens", request.outputTokens());
        // ignore_eos makes the server produce exactly max_tokens, so output lengths follow the trace.
        body.put("ignore_eos", true);
        body.put("temperature", 0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body.toString();
    }
}
