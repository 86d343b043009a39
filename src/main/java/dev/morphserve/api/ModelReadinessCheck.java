package dev.morphserve.api;

import dev.morphserve.server.ModelService;
import dev.morphserve.server.ShutdownDrain;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and until shutdown starts; reports what is being served. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    private final ModelService models;
    private final ShutdownDrain shutdown;

    ModelReadinessCheck(ModelService models, ShutdownDrain shutdown) {
        this.models = models;
        this.shutdown = shutdown;
    }

    @Override
    public HealthCheckResponse call() {
        var model = models.model();
        boolean draining = shutdown.draining();
        var response = HealthCheckResponse.named("model").status(model != null && !draining);
        if (draining) {
            response.withData("shutting_down", true);
        }
        if (model != null) {
            response.withData("id", models.modelId())
                    .withData("layers", model.config().numLayers())
                    .withData("context", model.config().contextLength());
        }
        return response.build();
    }
}
