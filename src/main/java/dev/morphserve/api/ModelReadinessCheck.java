package dev.morphserve.api;

import dev.morphserve.server.ModelService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded; reports what is being served. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    private final ModelService models;

    ModelReadinessCheck(ModelService models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        var model = models.model();
        var response = HealthCheckResponse.named("model").status(model != null);
        if (model != null) {
            response.withData("id", models.modelId())
                    .withData("layers", model.config().numLayers())
                    .withData("context", model.config().contextLength());
        }
        return response.build();
    }
}
