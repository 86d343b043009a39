package dev.morphserve.morph;

import io.vertx.core.eventbus.EventBus;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads the engine's statistics, asks the policy what to do, and sends the resulting commands on
 * the event bus ({@value MorphCommands#COMMANDS}); the server's ticker calls {@link #tick}. It
 * never touches engine state: the engine applies commands at its next step boundary.
 */
@ApplicationScoped
public class MorphController {
    private final MorphService morph;
    private final MorphCommands commands;
    private final EventBus bus;
    private final MorphPolicy policy;

    MorphController(MorphService morph, MorphCommands commands, EventBus bus, MorphConfig config) {
        this.morph = morph;
        this.commands = commands;
        this.bus = bus;
        this.policy = new MorphPolicy(new MorphPolicy.Thresholds(config.kvUsageHigh(), config.queueDelayHigh().toNanos(),
                config.kvUsageLow(), config.ttftTarget().toNanos(), config.tpotTarget().toNanos(), config.hysteresis().toNanos(),
                config.cooldown().toNanos()));
    }

    /** One look at the engine; at most one decision. Cheap and non-blocking (runs on a Vert.x timer). */
    public synchronized void tick() {
        if (!morph.enabled() || morph.swapper() == null) {
            return;
        }
        long now = System.nanoTime();
        policy.decide(now, morph.engine().stats(), morph.mode(), morph.layerView()).ifPresent(decision -> {
            var origin = MorphCommand.Origin.CONTROLLER;
            switch (decision) {
                case MorphPolicy.Decision.SwapDown down -> down.layers().forEach(
                        l -> bus.send(MorphCommands.COMMANDS, new MorphCommand.SwapDown(commands.nextId(), l, origin, now, down.reason())));
                case MorphPolicy.Decision.SwapUp up -> bus.send(MorphCommands.COMMANDS,
                        new MorphCommand.SwapUp(commands.nextId(), up.layer(), origin, now, up.reason()));
                case MorphPolicy.Decision.ShrinkKv shrink -> bus.send(MorphCommands.COMMANDS,
                        new MorphCommand.ShrinkKv(commands.nextId(), origin, now, shrink.reason()));
            }
        });
    }
}
