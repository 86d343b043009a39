package dev.morphserve.server;

import dev.morphserve.morph.MorphConfig;
import dev.morphserve.morph.MorphController;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Drives the morph controller on a Vert.x periodic timer ({@code @Scheduled} goes no finer than 1 s). */
@ApplicationScoped
public class MorphTicker {
    private final Vertx vertx;
    private final MorphController controller;
    private final MorphConfig config;
    private long timer = -1;

    MorphTicker(Vertx vertx, MorphController controller, MorphConfig config) {
        this.vertx = vertx;
        this.controller = controller;
        this.config = config;
    }

    void onStart(@Observes @Priority(50) StartupEvent event) {
        long millis = config.tick().toMillis();
        if (millis < 10) {
            throw new IllegalStateException("morphserve.morph.tick must be at least 10ms, got " + config.tick());
        }
        timer = vertx.setPeriodic(millis, id -> controller.tick());
    }

    void onStop(@Observes @Priority(20) ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
