package dev.morphserve.api;

import dev.morphserve.api.dto.ModelList;
import dev.morphserve.engine.EngineClient;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /v1/models}: the one served model, in OpenAI's list shape. */
@Path("/v1/models")
public class ModelsResource {
    /** When this server started serving, as OpenAI's {@code created} (seconds). */
    private static final long STARTED_SECONDS = System.currentTimeMillis() / 1000;

    private final ServedEngine engines;

    ModelsResource(ServedEngine engines) {
        this.engines = engines;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList list() {
        EngineClient engine = engines.get();
        var model = new ModelList.Model(engine.modelId(), "model", STARTED_SECONDS, "morphserve", engine.modelConfig().contextLength());
        return new ModelList("list", List.of(model));
    }
}
