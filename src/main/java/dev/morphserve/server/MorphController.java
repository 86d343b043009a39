package dev.morphserve.server;

import dev.morphserve.engine.EngineStats;
import dev.morphserve.morph.MorphCommand;
import dev.morphserve.morph.MorphPolicy;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.eventbus.EventBus;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Once a second, reads the engine's statistics, asks the policy what to do, and publishes the
 * resulting commands on the event bus ({@value #COMMANDS}). It never touches engine state: the
 * engine applies commands at its next step boundary and publishes what it did on
 * {@value #APPLIED}.
 */
@ApplicationScoped
public class MorphController {
    public static final String COMMANDS = "morph.command";
    public static final String APPLIED = "morph.applied";

    private final LocalEngineClient engine;
    private final MorphService morph;
    private final EventBus bus;
    private final MorphPolicy policy;

    MorphController(LocalEngineClient engine, MorphService morph, EventBus bus, MorphConfig config) {
        this.engine = engine;
        this.morph = morph;
        this.bus = bus;
        this.policy = new MorphPolicy(new MorphPolicy.Thresholds(config.kvUsageHigh(), config.queueDelayHigh().toNanos(),
                config.kvUsageLow(), config.hysteresis().toNanos(), config.cooldown().toNanos()));
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!morph.enabled()) {
            return;
        }
        EngineStats stats = engine.stats();
        long now = System.nanoTime();
        int blocksPerLayer = (int) (morph.bytesPerLayer() / engine.blockBytes());
        policy.decide(now, stats, morph.mode(), morph.swapOrder(), morph.swappedLayers(), blocksPerLayer)
                .ifPresent(decision -> {
                    switch (decision) {
                        case MorphPolicy.Decision.SwapDown down -> down.layers()
                                .forEach(l -> bus.publish(COMMANDS, new MorphCommand.SwapDown(l, now, down.reason())));
                        case MorphPolicy.Decision.SwapUp up -> bus.publish(COMMANDS, new MorphCommand.SwapUp(up.layer(), now, up.reason()));
                    }
                });
    }
}
