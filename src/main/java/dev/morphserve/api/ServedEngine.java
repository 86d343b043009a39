package dev.morphserve.api;

import dev.morphserve.engine.EngineClient;
import jakarta.enterprise.context.ApplicationScoped;

/** The engine behind the API, and the check that a request names the model it serves. */
@ApplicationScoped
public class ServedEngine {
    private final EngineClient engine;

    ServedEngine(EngineClient engine) {
        this.engine = engine;
    }

    public EngineClient get() {
        return engine;
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
