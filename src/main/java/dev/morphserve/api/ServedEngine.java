package dev.morphserve.api;

import dev.morphserve.engine.EngineClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * Finds the engine bean. Looked up through {@link Instance} so that the application still starts
 * (and answers 503) in builds where no engine bean exists, e.g. tests of other layers.
 */
@ApplicationScoped
public class ServedEngine {
    private final Instance<EngineClient> engines;

    ServedEngine(Instance<EngineClient> engines) {
        this.engines = engines;
    }

    public EngineClient get() {
        if (!engines.isResolvable()) {
            throw new ApiException(503, "server_error", null, "engine_unavailable", "No inference engine is running");
        }
        return engines.get();
    }

    /** The engine, after checking that {@code requestedModel} (optional) names the served model. */
    public EngineClient forModel(String requestedModel) {
        EngineClient engine = get();
        if (requestedModel != null && !requestedModel.isEmpty() && !requestedModel.equals(engine.modelId())) {
            throw ApiException.modelNotFound(requestedModel, engine.modelId());
        }
        return engine;
    }
}
