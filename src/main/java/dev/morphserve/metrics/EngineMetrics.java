package dev.morphserve.metrics;

import dev.morphserve.engine.EngineStats;
import dev.morphserve.server.LocalEngineClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Engine-level meters, read from the engine's latest {@link EngineStats} snapshot (names mirror
 * vLLM's with our prefix, so existing dashboards work).
 */
@ApplicationScoped
public class EngineMetrics {
    private final LocalEngineClient engine;
    private final MeterRegistry registry;

    EngineMetrics(LocalEngineClient engine, MeterRegistry registry) {
        this.engine = engine;
        this.registry = registry;
    }

    void register(@Observes StartupEvent event) {
        Gauge.builder("morphserve_num_requests_running", engine, e -> e.stats().numRunning())
                .description("Requests in the running batch")
                .register(registry);
        Gauge.builder("morphserve_num_requests_waiting", engine, e -> e.stats().numWaiting())
                .description("Requests waiting for admission")
                .register(registry);
        Gauge.builder("morphserve_kv_cache_usage_perc", engine, e -> e.stats().kvUsage())
                .description("Fraction of KV cache blocks in use (0..1)")
                .register(registry);
        Gauge.builder("morphserve_kv_cache_blocks", engine, e -> e.stats().totalBlocks())
                .description("KV cache blocks attached (base chunk plus morph chunks)")
                .register(registry);
        FunctionCounter.builder("morphserve_num_preemptions", engine, e -> e.stats().numPreemptions())
                .description("Requests preempted (recomputed later) because KV blocks ran out")
                .register(registry);
    }
}
