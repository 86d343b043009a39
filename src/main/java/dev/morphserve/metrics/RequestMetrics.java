package dev.morphserve.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request-level meters, named as vLLM's with our prefix so that existing dashboards work.
 * Micrometer's Prometheus naming appends {@code _seconds} to timers and {@code _total} to
 * counters, so the meter names here carry neither: {@code morphserve.time_to_first_token}
 * is exported as {@code morphserve_time_to_first_token_seconds}. Histogram buckets are vLLM's.
 */
@ApplicationScoped
public class RequestMetrics {
    private static final double[] TTFT_BUCKETS_SECONDS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80
    };
    private static final double[] ITL_BUCKETS_SECONDS = {
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80
    };
    private static final double[] REQUEST_BUCKETS_SECONDS = {
        0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680
    };

    private final MeterRegistry registry;
    final Timer timeToFirstToken;
    final Timer interTokenLatency;
    final Timer endToEndLatency;
    final Timer queueTime;
    final Counter promptTokens;
    final Counter generationTokens;
    final Counter swappedTokens;
    private final Map<String, Counter> successByReason = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> tokensBySwappedLayers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        timeToFirstToken = timer("morphserve.time_to_first_token", "Time from request arrival to its first generated token", TTFT_BUCKETS_SECONDS);
        interTokenLatency = timer("morphserve.inter_token_latency", "Time between two consecutive tokens of a request", ITL_BUCKETS_SECONDS);
        endToEndLatency = timer("morphserve.e2e_request_latency", "Time from request arrival to its last token", REQUEST_BUCKETS_SECONDS);
        queueTime = timer("morphserve.request_queue_time", "Time a request waited before its first scheduling", REQUEST_BUCKETS_SECONDS);
        promptTokens = counter("morphserve.prompt_tokens", "Prompt tokens of finished requests");
        generationTokens = counter("morphserve.generation_tokens", "Generated tokens");
        swappedTokens = counter("morphserve.swapped_tokens", "Tokens generated while at least one layer was swapped");
        for (String reason : new String[] {"stop", "length", "abort"}) {
            success(reason); // registered up front so that dashboards see zeros, not gaps
        }
        tokensAtSwapped(0);
    }

    /** Starts tracing one request that arrived at {@code arrivalNanos} ({@link System#nanoTime()}). */
    public RequestTrace start(long arrivalNanos) {
        return new RequestTrace(this, arrivalNanos);
    }

    Counter success(String finishedReason) {
        return successByReason.computeIfAbsent(finishedReason.toLowerCase(Locale.ROOT), reason -> Counter
                .builder("morphserve.request_success")
                .description("Finished requests by finish reason")
                .tag("finished_reason", reason)
                .register(registry));
    }

    /**
     * Generated tokens by the number of layers that ran quantized for them: what a quality report
     * weights its per-count perplexity by (tokens at k swapped layers x quality at k).
     */
    Counter tokensAtSwapped(int swappedLayers) {
        return tokensBySwappedLayers.computeIfAbsent(swappedLayers, k -> Counter
                .builder("morphserve.generation_tokens_by_swapped_layers")
                .description("Generated tokens by the number of decoder layers that ran in low precision for them")
                .tag("swapped_layers", Integer.toString(k))
                .register(registry));
    }

    private Timer timer(String name, String description, double[] bucketsSeconds) {
        Duration[] slos = Arrays.stream(bucketsSeconds)
                .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
        return Timer.builder(name).description(description).serviceLevelObjectives(slos).register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }
}
