package dev.morphserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples a MorphServe server's morph state ({@code GET /v1/morph}) while a benchmark runs, so
 * that a report can show swapped layers and KV capacity over time beside the latencies. Servers
 * without that endpoint are simply not sampled.
 */
public final class ServerStateSampler implements AutoCloseable {

    /**
     * One sample; {@code tMs} counts from the sampler's start, as request send times do from the run's.
     * {@code preemptions} counts since the server started.
     */
    public record ServerSample(double tMs, int swappedLayers, int kvTotalBlocks, int kvFreeBlocks, int kvBlockTokens,
            int waitingRequests, int runningRequests, long preemptions) {}

    private final List<ServerSample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    public ServerStateSampler(HttpClient http, URI baseUrl, Duration interval) {
        URI morph = baseUrl.resolve("/v1/morph");
        long start = System.nanoTime();
        ObjectMapper json = new ObjectMapper();
        thread = Thread.ofPlatform().name("bench-server-sampler").daemon().start(() -> {
            while (!stopped) {
                try {
                    var response = http.send(HttpRequest.newBuilder(morph).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        return; // not a MorphServe server (or morphing unavailable): nothing to sample
                    }
                    JsonNode state = json.readTree(response.body());
                    synchronized (samples) {
                        samples.add(new ServerSample((System.nanoTime() - start) / 1e6, state.path("swapped_layers").size(),
                                state.at("/kv_cache/total_blocks").asInt(), state.at("/kv_cache/free_blocks").asInt(),
                                state.at("/kv_cache/block_tokens").asInt(16), state.at("/queue/waiting").asInt(),
                                state.at("/queue/running").asInt(), state.at("/queue/preemptions").asLong()));
                    }
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    return; // the server went away; the report keeps what was sampled
                }
            }
        });
    }

    public List<ServerSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(2000);
    }
}
