package dev.morphserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code bench compare} asks of a MorphServe server besides completions: its morph state and
 * mode ({@code /v1/morph}), manual swaps, and counters from {@code /q/metrics}.
 */
public final class MorphClient {
    private static final Pattern TOKENS_BY_SWAPPED = Pattern.compile(
            "(?m)^morphserve_generation_tokens_by_swapped_layers_total\\{swapped_layers=\"(\\d+)\"} (\\S+)$");

    private final HttpClient http;
    private final URI url;
    private final ObjectMapper json = new ObjectMapper();

    public MorphClient(HttpClient http, URI url) {
        this.http = http;
        this.url = url;
    }

    public JsonNode state() throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(url.resolve("/v1/morph")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/morph answered " + response.statusCode() + ": is " + url + " a MorphServe server?");
        }
        return json.readTree(response.body());
    }

    public List<Integer> swappedLayers() throws IOException, InterruptedException {
        return ints(state().path("swapped_layers"));
    }

    public List<Integer> swapOrder() throws IOException, InterruptedException {
        return ints(state().path("swap_order"));
    }

    public void setMode(String mode) throws IOException, InterruptedException {
        post(Map.of("mode", mode));
    }

    /**
     * Swaps every layer down, one at a time in the server's swap order, waiting for each to apply:
     * static low precision, with all freed memory given to the KV cache.
     */
    public void swapAllDown(Duration timeout) throws IOException, InterruptedException {
        for (int layer : swapOrder()) {
            post(Map.of("action", "swap_down", "layer", layer));
            await(s -> s.contains(layer), timeout, "layer " + layer + " to swap down");
        }
    }

    /**
     * Every layer back in base precision, as a server that never morphed, and the controller in
     * manual mode (it stands still, so it cannot race the swaps asked for here); set a mode after.
     */
    public void resetToFullPrecision(Duration timeout) throws IOException, InterruptedException {
        setMode("manual");
        for (int layer : swappedLayers().reversed()) {
            post(Map.of("action", "swap_up", "layer", layer));
            await(s -> !s.contains(layer), timeout, "layer " + layer + " to swap up");
        }
    }

    /** Generated tokens so far by the number of layers swapped when each was generated. */
    public Map<Integer, Long> tokensBySwappedLayers() throws IOException, InterruptedException {
        Matcher m = TOKENS_BY_SWAPPED.matcher(metrics());
        Map<Integer, Long> tokens = new java.util.TreeMap<>();
        while (m.find()) {
            tokens.put(Integer.parseInt(m.group(1)), (long) Double.parseDouble(m.group(2)));
        }
        return tokens;
    }

    /** Requests preempted since the server started. */
    public long preemptions() throws IOException, InterruptedException {
        return state().at("/queue/preemptions").asLong();
    }

    private String metrics() throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(url.resolve("/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /q/metrics answered " + response.statusCode());
        }
        return response.body();
    }

    private void post(Map<String, Object> body) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(url.resolve("/v1/morph")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("POST /v1/morph " + body + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private void await(Predicate<List<Integer>> done, Duration timeout, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(swappedLayers())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asInt()));
        return values;
    }
}
