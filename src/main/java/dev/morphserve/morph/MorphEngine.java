package dev.morphserve.morph;

import dev.morphserve.engine.EngineStats;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.kvcache.KvLayout;
import java.util.function.Consumer;

/** What morphing needs of the running engine (the server's engine bean hands it over at start-up). */
public interface MorphEngine {

    /** The latest statistics (published after every step). */
    EngineStats stats();

    /** Runs an action on the engine thread between two steps. */
    void atNextStepBoundary(Consumer<StepBoundary> action);

    KvLayout kvLayout();
}
