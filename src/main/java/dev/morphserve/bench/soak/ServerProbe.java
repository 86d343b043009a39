package dev.morphserve.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the soak asks the server over HTTP at each sample: its morph, queue and KV state, and its JVM heap. */
public final class ServerProbe {
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$");

    /** {@code GET /v1/morph} as far as the soak cares. */
    public record MorphSnapshot(int queueRunning, int queueWaiting, int kvFreeBlocks, int kvTotalBlocks, int swappedLayers) {
        public boolean idle() {
            return queueRunning == 0 && queueWaiting == 0 && kvFreeBlocks == kvTotalBlocks;
        }
    }

    private final HttpClient http;
    private final URI baseUri;
    private final ObjectMapper json = new ObjectMapper();

    public ServerProbe(HttpClient http, URI baseUri) {
        this.http = http;
        this.baseUri = baseUri;
    }

    public MorphSnapshot morph() throws IOException, InterruptedException {
        JsonNode state = json.readTree(get("/v1/morph"));
        return new MorphSnapshot(state.at("/queue/running").asInt(), state.at("/queue/waiting").asInt(),
                state.at("/kv_cache/free_blocks").asInt(), state.at("/kv_cache/total_blocks").asInt(), state.path("swapped_layers").size());
    }

    /** Used heap summed over the heap pools of {@code /q/metrics}; null when the server does not publish it. */
    public Long heapUsedBytes() throws IOException, InterruptedException {
        Matcher m = HEAP_USED.matcher(get("/q/metrics"));
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            found = true;
        }
        return found ? (long) sum : null;
    }

    private String get(String path) throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(baseUri.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return response.body();
    }
}
