package dev.morphserve.metrics;

import dev.morphserve.morph.MorphEvent;
import dev.morphserve.server.LocalEngineClient;
import dev.morphserve.server.MorphService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/** Morph meters: swapped layers, swaps and resizes by direction, swap latency, budget parts. */
@ApplicationScoped
public class MorphMetrics {
    private final MorphService morph;
    private final LocalEngineClient engine;
    private final MeterRegistry registry;

    MorphMetrics(MorphService morph, LocalEngineClient engine, MeterRegistry registry) {
        this.morph = morph;
        this.engine = engine;
        this.registry = registry;
    }

    void register(@Observes @Priority(40) StartupEvent event) {
        Gauge.builder("morphserve_swapped_layers", morph, m -> m.swappedLayers().size())
                .description("Decoder layers running in low precision")
                .register(registry);
        for (String part : new String[] {"budget", "resident_weights", "kv_cache"}) {
            Gauge.builder("morphserve_memory_bytes", this, m -> m.part(part))
                    .tag("part", part)
                    .description("Memory budget and what resident weights and the KV cache take of it")
                    .register(registry);
        }
        Timer latency = Timer.builder("morphserve_swap_latency")
                .description("Time from a morph decision to the change taking effect")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1))
                .publishPercentileHistogram(false)
                .register(registry);
        morph.addListener(e -> record(e, latency));
    }

    private double part(String part) {
        if (engine.sizing() == null) {
            return 0;
        }
        var budget = morph.budget(engine.sizing(), engine.stats().kvBytes());
        return switch (part) {
            case "budget" -> budget.budgetBytes();
            case "resident_weights" -> budget.otherWeightBytes() + budget.residentLayerBytes() + budget.inFlightBytes();
            default -> budget.kvBytes();
        };
    }

    private void record(MorphEvent event, Timer latency) {
        if (!event.applied()) {
            Counter.builder("morphserve_morph_refused").tag("action", event.action()).register(registry).increment();
            return;
        }
        switch (event.action()) {
            case "swap_down" -> {
                swaps("down");
                resizes("grow");
            }
            case "kv_shrink" -> resizes("shrink");
            default -> swaps("up");
        }
        latency.record(Duration.ofNanos(event.latencyNanos()));
    }

    private void swaps(String direction) {
        Counter.builder("morphserve_layer_swaps").tag("direction", direction).description("Layer swaps applied").register(registry).increment();
    }

    private void resizes(String direction) {
        Counter.builder("morphserve_kv_resizes").tag("direction", direction).description("KV cache resizes applied").register(registry).increment();
    }
}
