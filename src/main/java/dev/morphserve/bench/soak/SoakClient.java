package dev.morphserve.bench.soak;

import dev.morphserve.bench.ServerInfo;
import dev.morphserve.bench.SseEvent;
import dev.morphserve.bench.SseParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends one soak request and blocks until it ends; meant for virtual threads, one per client.
 * Streams are read line by line as they arrive, so token times are receive times, and a client
 * that hangs up closes the body mid-stream, which closes the HTTP/1.1 connection under it.
 */
public final class SoakClient {
    private final HttpClient http;
    private final URI baseUri;
    private final Duration requestTimeout;

    public SoakClient(HttpClient http, URI baseUri, Duration requestTimeout) {
        this.http = http;
        this.baseUri = baseUri;
        this.requestTimeout = requestTimeout;
    }

    /** Never throws for a failed request (that becomes an outcome); only for interruption. */
    public SoakResult send(SoakRequest request) throws InterruptedException {
        HttpRequest httpRequest = HttpRequest.newBuilder(ServerInfo.resolve(baseUri, request.path()))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", request.stream() ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.body()))
                .build();
        long sendNanos = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200 || !request.stream()) {
                    String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    SoakOutcome outcome = SoakOutcome.ofStatus(response.statusCode());
                    return new SoakResult(request.kind(), outcome, response.statusCode(), System.nanoTime(), null, null,
                            outcome == SoakOutcome.OK ? null : abbreviate(text));
                }
                return readStream(request, body, sendNanos);
            }
        } catch (IOException e) {
            return new SoakResult(request.kind(), SoakOutcome.ERROR, 0, System.nanoTime(), null, null,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private SoakResult readStream(SoakRequest request, InputStream body, long sendNanos) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        long firstNanos = 0;
        long lastNanos = 0;
        int chunks = 0;
        String error = null;
        boolean done = false;
        for (String line = lines.readLine(); line != null && !done; line = lines.readLine()) {
            long now = System.nanoTime();
            switch (SseParser.parse(line)) {
                case SseEvent.Chunk chunk when chunk.error() != null -> error = error != null ? error : chunk.error();
                case SseEvent.Chunk chunk when chunk.content() -> {
                    firstNanos = chunks == 0 ? now : firstNanos;
                    lastNanos = now;
                    chunks++;
                    if (request.disconnectAfterChunks() > 0 && chunks >= request.disconnectAfterChunks()) {
                        // Returning closes the body (try-with-resources in send): the hang-up under test.
                        return new SoakResult(request.kind(), SoakOutcome.DISCONNECT, 200, now, null, null, null);
                    }
                }
                case SseEvent.Done d -> done = true;
                default -> {}
            }
        }
        long endNanos = System.nanoTime();
        if (error != null || !done || chunks == 0) {
            String detail = error != null ? error : !done ? "stream ended without data: [DONE]" : "stream carried no token";
            return new SoakResult(request.kind(), SoakOutcome.ERROR, 200, endNanos, null, null, detail);
        }
        Double ttftMs = request.timed() ? (firstNanos - sendNanos) / 1e6 : null;
        Double tpotMs = request.timed() && chunks > 1 ? (lastNanos - firstNanos) / 1e6 / (chunks - 1) : null;
        return new SoakResult(request.kind(), SoakOutcome.OK, 200, endNanos, ttftMs, tpotMs, null);
    }

    private static String abbreviate(String text) {
        String line = text.strip().replace('\n', ' ');
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
