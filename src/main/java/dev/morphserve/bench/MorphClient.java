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
        post(Map.of("mode", mode), false);
    }

    /**
     * Steps every layer down to the lowest level, one step at a time in the server's swap order,
     * waiting for each to apply: static low precision, with all freed memory given to the KV cache.
     */
    public void swapAllDown(Duration timeout) throws IOException, InterruptedException {
        for (int layer : swapOrder()) {
            stepUntilRefused("swap_down", layer, timeout);
        }
    }

    /**
     * Every layer back at base precision, as a server that never morphed, idle KV chunks given
     * back, and the controller in manual mode (it stands still, so it cannot race the swaps asked
     * for here); set a mode after.
     */
    public void resetToFullPrecision(Duration timeout) throws IOException, InterruptedException {
        setMode("manual");
        for (int layer : swappedLayers().reversed()) {
            stepUntilRefused("swap_up", layer, timeout);
        }
        post(Map.of("action", "kv_shrink"), true);
    }

    /**
     * Repeats one swap on a layer until the server refuses it (lowest or base level reached); a
     * 202 (still copying) waits for the layer's level to change before the next step.
     */
    private void stepUntilRefused(String action, int layer, Duration timeout) throws IOException, InterruptedException {
        for (int step = 0; step < 16; step++) {
            int level = level(layer);
            int status = post(Map.of("action", action, "layer", layer), true);
            if (status == 409) {
                return;
            }
            if (status == 202) {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (level(layer) == level) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for layer " + layer + " to " + action);
                    }
                    Thread.sleep(50);
                }
            }
        }
        throw new IOException("layer " + layer + " kept accepting " + action + ": is the server's morph.levels list that long?");
    }

    private int level(int layer) throws IOException, InterruptedException {
        return state().path("layers").path(layer).path("level").asInt();
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

    /** POSTs to /v1/morph; a 409 is an answer when {@code refusalIsAnswer}, any other non-2xx an error. */
    private int post(Map<String, Object> body, boolean refusalIsAnswer) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(url.resolve("/v1/morph")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2 && !(refusalIsAnswer && response.statusCode() == 409)) {
            throw new IOException("POST /v1/morph " + body + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.statusCode();
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asInt()));
        return values;
    }
}
