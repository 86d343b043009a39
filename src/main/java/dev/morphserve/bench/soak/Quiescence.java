package dev.morphserve.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.bench.ServerInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * After the load: the server must come back to rest (nothing running or waiting, every KV block
 * free: no request, aborted stream or swap leaked one) and still answer a fresh request.
 *
 * @param idle          whether it came to rest within the wait
 * @param waitedSeconds how long it took (or the whole wait, when it never did)
 * @param last          the last state seen; null when {@code GET /v1/morph} failed
 * @param freshStatus   HTTP status of the fresh completion afterwards, 0 when no answer came
 */
public record Quiescence(boolean idle, double waitedSeconds, ServerProbe.MorphSnapshot last, int freshStatus, String detail) {

    @com.fasterxml.jackson.annotation.JsonProperty("passed")
    public boolean passed() {
        return idle && freshStatus == 200;
    }

    public static Quiescence check(HttpClient http, URI baseUri, ServerProbe probe, Duration wait) throws InterruptedException {
        long start = System.nanoTime();
        ServerProbe.MorphSnapshot last = null;
        String detail = null;
        while (true) {
            try {
                last = probe.morph();
                detail = null;
            } catch (IOException e) {
                detail = "GET /v1/morph failed: " + e.getMessage();
            }
            if ((last != null && last.idle()) || System.nanoTime() - start > wait.toNanos()) {
                break;
            }
            Thread.sleep(200);
        }
        double waited = (System.nanoTime() - start) / 1e9;
        boolean idle = last != null && last.idle() && detail == null;
        int fresh = 0;
        try {
            String body = new ObjectMapper().createObjectNode().put("prompt", "Once upon a time").put("max_tokens", 8).toString();
            HttpRequest request = HttpRequest.newBuilder(ServerInfo.resolve(baseUri, "v1/completions")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            fresh = response.statusCode();
            if (fresh != 200) {
                detail = "fresh request answered " + fresh + ": " + response.body();
            }
        } catch (IOException e) {
            detail = "fresh request failed: " + e.getMessage();
        }
        return new Quiescence(idle, waited, last, fresh, detail);
    }
}
