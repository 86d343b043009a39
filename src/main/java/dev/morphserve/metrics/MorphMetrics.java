package dev.morphserve.metrics;

import dev.morphserve.morph.MemoryBudget;
import dev.morphserve.morph.MorphCommands;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.morph.MorphService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.ConsumeEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * Morph meters, read from the morph state and the applied-events channel: swapped layers, each layer's level, the
 * budget's parts, swaps and resizes by direction, refusals, decision-to-applied latency and copy
 * time per layer.
 */
@ApplicationScoped
public class MorphMetrics {
    private final MorphService morph;
    private final MeterRegistry registry;
    private Timer latency;
    private Timer copyTime;

    MorphMetrics(MorphService morph, MeterRegistry registry) {
        this.morph = morph;
        this.registry = registry;
    }

    void register(@Observes @Priority(40) StartupEvent event) {
        Gauge.builder("morphserve_swapped_layers", morph, m -> m.state().swappedLayers().size())
                .description("Decoder layers running below their base precision")
                .register(registry);
        for (int layer = 0; layer < morph.numLayers(); layer++) {
            int index = layer;
            // The level, not the precision, is the value: a precision label would change with every swap and leave stale series.
            Gauge.builder("morphserve_layer_level", morph, m -> m.enabled() ? m.residency().level(index) : 0)
                    .tag("layer", Integer.toString(layer))
                    .description("Precision level of each decoder layer: 0 is its base precision, higher is more quantized (levels as GET /v1/morph lists them)")
                    .register(registry);
        }
        part("budget", MemoryBudget::budgetBytes);
        part("other_weights", MemoryBudget::otherWeightBytes);
        part("layers", MemoryBudget::layerBytes);
        part("in_flight", MemoryBudget::inFlightBytes);
        part("kv_cache", MemoryBudget::kvBytes);
        part("activations", MemoryBudget::activationBytes);
        part("reserve", MemoryBudget::reserveBytes);
        part("headroom", MemoryBudget::headroomBytes);
        Gauge.builder("morphserve_host_tier_bytes", morph, m -> m.state().hostTierBytes())
                .description("Quantized layer variants held outside the budget (pinned host memory on a GPU)")
                .register(registry);
        latency = Timer.builder("morphserve_swap_latency")
                .description("Time from a morph decision to the change taking effect")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1))
                .register(registry);
        copyTime = Timer.builder("morphserve_layer_copy")
                .description("Time copying one layer variant to where the model runs")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100))
                .register(registry);
    }

    private void part(String part, ToDoubleFunction<MemoryBudget> value) {
        Gauge.builder("morphserve_memory_bytes", morph, m -> {
            MemoryBudget budget = m.budget();
            return budget == null ? 0 : value.applyAsDouble(budget);
        }).tag("part", part).description("The memory budget and its parts").register(registry);
    }

    @ConsumeEvent(MorphCommands.APPLIED)
    void onEvent(MorphEvent event) {
        switch (event.outcome()) {
            case REFUSED -> Counter.builder("morphserve_morph_refused").tag("action", event.action().wireName()).register(registry).increment();
            case ACCEPTED -> { }
            case APPLIED -> {
                switch (event.action()) {
                    case SWAP_DOWN -> count("morphserve_layer_swaps", "down");
                    case SWAP_UP -> count("morphserve_layer_swaps", "up");
                    case KV_GROW -> count("morphserve_kv_resizes", "grow");
                    case KV_SHRINK -> count("morphserve_kv_resizes", "shrink");
                }
                latency.record(Duration.ofNanos(event.latencyNanos()));
                if (event.copyNanos() > 0) {
                    copyTime.record(Duration.ofNanos(event.copyNanos()));
                }
            }
        }
    }

    private void count(String name, String direction) {
        Counter.builder(name).tag("direction", direction).register(registry).increment();
    }
}
