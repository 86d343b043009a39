package dev.morphserve.api;

import dev.morphserve.morph.MorphAction;
import dev.morphserve.morph.MorphCommand;
import dev.morphserve.morph.MorphCommands;
import dev.morphserve.morph.MorphConfig;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.morph.MorphMode;
import dev.morphserve.morph.MorphService;
import dev.morphserve.morph.MorphState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.mutiny.core.eventbus.EventBus;
import io.vertx.mutiny.core.eventbus.Message;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.Map;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Morph state and manual control: {@code GET /v1/morph} (per-layer precision, KV pool, budget
 * beside the device's own figures, mode, recent events), {@code POST /v1/morph} (a mode, or a
 * manual command sent down the same event-bus path as the controller's: 200 with the applied
 * event, 202 with the command id while the copy is still running, 409 when refused),
 * {@code GET /v1/morph/events} (SSE of every morph event).
 */
@Path("/v1/morph")
public class MorphResource {
    private final MorphService morph;
    private final MorphCommands commands;
    private final MorphConfig config;
    private final EventBus bus;

    MorphResource(MorphService morph, MorphCommands commands, MorphConfig config, EventBus bus) {
        this.morph = morph;
        this.commands = commands;
        this.config = config;
        this.bus = bus;
    }

    /** POST body: either {@code {"mode": "performance"}} or {@code {"action": "swap_down", "layer": 3}}. */
    public record MorphRequest(String mode, String action, Integer layer) {}

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public MorphState state() {
        return morph.state();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> command(MorphRequest request) {
        if (request == null || (request.mode() == null) == (request.action() == null)) {
            throw ApiException.badRequest(null, "give either \"mode\" (" + modes() + ") or \"action\" (swap_down, swap_up with \"layer\"; kv_shrink)");
        }
        if (request.mode() != null) {
            return Uni.createFrom().item(() -> setMode(request.mode()));
        }
        MorphCommand command = toCommand(request);
        DeliveryOptions wait = new DeliveryOptions().setSendTimeout(Math.max(1, config.manualWait().toMillis()));
        return bus.<MorphEvent>request(MorphCommands.COMMANDS, command, wait)
                .map(reply -> reply.body().applied() ? Response.ok(reply.body()).build() : conflict(reply.body().detail()))
                .onFailure(ReplyException.class).recoverWithItem(e -> ((ReplyException) e).failureType() == ReplyFailure.TIMEOUT
                        ? Response.accepted(Map.of("id", command.id(), "status", "accepted", "action", command.action(),
                                "detail", "still copying after " + config.manualWait().toMillis() + " ms; GET /v1/morph/events reports command " + command.id()))
                                .build()
                        : conflict(e.getMessage()));
    }

    private Response setMode(String name) {
        MorphMode mode = Arrays.stream(MorphMode.values()).filter(m -> m.wireName().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> ApiException.badRequest("mode", "mode must be one of " + modes() + ", got '" + name + "'"));
        try {
            morph.setMode(mode);
        } catch (IllegalStateException e) {
            return conflict(e.getMessage());
        }
        return Response.ok(morph.state()).build();
    }

    private MorphCommand toCommand(MorphRequest request) {
        MorphAction action;
        try {
            action = MorphAction.parse(request.action());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("action", e.getMessage());
        }
        long id = commands.nextId();
        long now = System.nanoTime();
        var origin = MorphCommand.Origin.MANUAL;
        if (action == MorphAction.KV_SHRINK) {
            return new MorphCommand.ShrinkKv(id, origin, now, "manual");
        }
        int numLayers = morph.numLayers();
        if (request.layer() == null || request.layer() < 0 || (numLayers > 0 && request.layer() >= numLayers)) {
            throw ApiException.badRequest("layer", numLayers == 0 ? "\"layer\" is required (morphing is not available on this server)"
                    : "layer must be between 0 and " + (numLayers - 1));
        }
        return switch (action) {
            case SWAP_DOWN -> new MorphCommand.SwapDown(id, request.layer(), origin, now, "manual");
            case SWAP_UP -> new MorphCommand.SwapUp(id, request.layer(), origin, now, "manual");
            case KV_GROW, KV_SHRINK -> throw ApiException.badRequest("action", "kv_grow follows a swap_down; it cannot be asked for");
        };
    }

    private static String modes() {
        return String.join(", ", Arrays.stream(MorphMode.values()).map(MorphMode::wireName).toList());
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
        return bus.<MorphEvent>consumer(MorphCommands.APPLIED).toMulti().map(Message::body);
    }
}
