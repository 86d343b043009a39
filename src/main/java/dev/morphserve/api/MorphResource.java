package dev.morphserve.api;

import dev.morphserve.engine.EngineStats;
import dev.morphserve.morph.MorphCommand;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.morph.MorphMode;
import dev.morphserve.server.LocalEngineClient;
import dev.morphserve.server.MorphCommandHandler;
import dev.morphserve.server.MorphController;
import dev.morphserve.server.MorphService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.eventbus.EventBus;
import io.vertx.mutiny.core.eventbus.Message;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Morph state and manual control: {@code GET /v1/morph} (per-layer precision, KV pool, budget,
 * mode, recent decisions), {@code POST /v1/morph} (mode, or a manual swap, 409 when the engine
 * refuses it as unsafe), {@code GET /v1/morph/events} (SSE of applied morph events).
 */
@Path("/v1/morph")
public class MorphResource {
    private final MorphService morph;
    private final LocalEngineClient engine;
    private final MorphCommandHandler commands;
    private final EventBus bus;

    MorphResource(MorphService morph, LocalEngineClient engine, MorphCommandHandler commands, EventBus bus) {
        this.morph = morph;
        this.engine = engine;
        this.commands = commands;
        this.bus = bus;
    }

    /** POST body: either {@code {"mode": "performance"}} or {@code {"action": "swap_down", "layer": 3}}. */
    public record MorphRequest(String mode, String action, Integer layer) {}

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> state() {
        EngineStats stats = engine.stats();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("enabled", morph.enabled());
        state.put("mode", morph.mode().name().toLowerCase(Locale.ROOT));
        state.put("swap_order", morph.swapOrder());
        state.put("swap_order_source", morph.swapOrderSource());
        state.put("swapped_layers", morph.swappedLayers());
        state.put("layers", layers());
        state.put("kv_cache", Map.of("chunks", stats.numKvChunks(), "total_blocks", stats.totalBlocks(),
                "free_blocks", stats.freeBlocks(), "block_tokens", engine.blockTokens(), "bytes", stats.kvBytes()));
        state.put("queue", Map.of("waiting", stats.numWaiting(), "running", stats.numRunning(),
                "preemptions", stats.numPreemptions()));
        state.put("budget", morph.budget(engine.sizing(), stats.kvBytes()));
        state.put("recent_events", morph.recentEvents());
        return state;
    }

    private List<Map<String, Object>> layers() {
        List<Map<String, Object>> layers = new ArrayList<>();
        List<Integer> swapped = morph.swappedLayers();
        for (int l = 0; l < morph.numLayers(); l++) {
            boolean low = swapped.contains(l);
            layers.add(Map.of("layer", l, "precision", (low ? morph.lowType() : morph.baseType(l)).name(),
                    "state", low ? "swapped" : "resident"));
        }
        return layers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> command(MorphRequest request) {
        if (request == null || (request.mode() == null) == (request.action() == null)) {
            throw ApiException.badRequest(null, "give either \"mode\" (off, accuracy, performance, manual) or \"action\" (swap_down, swap_up) with \"layer\"");
        }
        if (request.mode() != null) {
            MorphMode mode;
            try {
                mode = MorphMode.valueOf(request.mode().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("mode", "mode must be off, accuracy, performance or manual, got '" + request.mode() + "'");
            }
            try {
                morph.setMode(mode);
            } catch (IllegalStateException e) {
                return Uni.createFrom().item(conflict(e.getMessage()));
            }
            return Uni.createFrom().item(Response.ok(state()).build());
        }
        if (request.layer() == null || request.layer() < 0 || request.layer() >= morph.numLayers()) {
            throw ApiException.badRequest("layer", "layer must be between 0 and " + (morph.numLayers() - 1));
        }
        long now = System.nanoTime();
        MorphCommand command = switch (request.action()) {
            case "swap_down" -> new MorphCommand.SwapDown(request.layer(), now, "manual");
            case "swap_up" -> new MorphCommand.SwapUp(request.layer(), now, "manual");
            default -> throw ApiException.badRequest("action", "action must be swap_down or swap_up, got '" + request.action() + "'");
        };
        return Uni.createFrom().completionStage(() -> commands.submit(command))
                .ifNoItem().after(Duration.ofSeconds(30)).fail()
                .map(event -> event.applied() ? Response.ok(event).build() : conflict(event.detail()))
                .onFailure(IllegalStateException.class).recoverWithItem(e -> conflict(e.getMessage()));
    }

    private static Response conflict(String message) {
        return Response.status(409)
                .entity(Map.of("error", Map.of("message", message, "type", "conflict", "code", "morph_refused")))
                .build();
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<MorphEvent> events() {
        return bus.<MorphEvent>consumer(MorphController.APPLIED).toMulti().map(Message::body);
    }
}
