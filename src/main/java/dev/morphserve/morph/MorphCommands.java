package dev.morphserve.morph;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.ConsumeEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one path of morph commands: the controller and {@code POST /v1/morph} both send them to
 * {@value #COMMANDS} on the Vert.x event bus; this bean queues each for the engine's next step
 * boundary and replies with its final event (applied or refused). Every event the swapper
 * produces is published once on {@value #APPLIED}, where the SSE stream, the metrics and the log
 * read it.
 */
@ApplicationScoped
public class MorphCommands {
    public static final String COMMANDS = "morph.command";
    public static final String APPLIED = "morph.applied";

    private final EventBus bus;
    private final MorphService morph;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(MorphAction action, CompletableFuture<MorphEvent> result) {}

    MorphCommands(EventBus bus, MorphService morph) {
        this.bus = bus;
        this.morph = morph;
    }

    void onStart(@Observes @Priority(5) StartupEvent event) {
        // Commands stay inside this JVM: the records pass by reference. (Quarkus registers such a
        // codec itself for the types its @ConsumeEvent methods take, MorphEvent and the sealed
        // interface, but not for the concrete records that are sent.)
        for (Class<?> type : new Class<?>[] {MorphCommand.SwapDown.class, MorphCommand.SwapUp.class, MorphCommand.ShrinkKv.class}) {
            registerLocal(type);
        }
    }

    /** A fresh command id (events repeat it; a 202 answer names it). */
    public long nextId() {
        return nextId.getAndIncrement();
    }

    @ConsumeEvent(COMMANDS)
    CompletionStage<MorphEvent> onCommand(MorphCommand command) {
        CompletableFuture<MorphEvent> result = new CompletableFuture<>();
        String refusal = refusal(command);
        if (refusal != null) {
            MorphEvent refused = new MorphEvent(command.id(), command.action(), MorphOutcome.REFUSED, layerOf(command), null, null,
                    refusal, System.nanoTime() - command.decidedNanos(), 0, 0, 0, java.util.List.of(), System.currentTimeMillis());
            bus.publish(APPLIED, refused);
            result.complete(refused);
            return result;
        }
        pending.put(command.id(), new Pending(command.action(), result));
        morph.engine().atNextStepBoundary(boundary -> morph.swapper().apply(command, boundary));
        return result;
    }

    private String refusal(MorphCommand command) {
        if (!morph.enabled() || morph.engine() == null) {
            return "morphing is not available (morphserve.morph.enabled=false, or no level below the model's precision)";
        }
        if (command.origin() == MorphCommand.Origin.MANUAL && morph.mode() == MorphMode.OFF) {
            return "morphing is in mode off: set the mode to manual (POST /v1/morph {\"mode\": \"manual\"}) to move layers by hand";
        }
        return null;
    }

    /** The swapper's sink (engine thread): completes the command's reply on its final event, publishes every event. */
    void onEvent(MorphEvent event) {
        Pending p = pending.get(event.commandId());
        if (p != null && p.action() == event.action() && event.outcome().isFinal()) {
            pending.remove(event.commandId());
            p.result().complete(event);
        }
        bus.publish(APPLIED, event);
    }

    private static int layerOf(MorphCommand command) {
        return switch (command) {
            case MorphCommand.SwapDown d -> d.layer();
            case MorphCommand.SwapUp u -> u.layer();
            case MorphCommand.ShrinkKv k -> -1;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void registerLocal(Class<?> type) {
        bus.registerDefaultCodec((Class) type, new LocalCodec(type.getName()));
    }

    /** Identity codec for objects that never leave the JVM. */
    private record LocalCodec(String name) implements MessageCodec<Object, Object> {
        @Override
        public void encodeToWire(Buffer buffer, Object o) {
            throw new UnsupportedOperationException("morph messages are local only");
        }

        @Override
        public Object decodeFromWire(int pos, Buffer buffer) {
            throw new UnsupportedOperationException("morph messages are local only");
        }

        @Override
        public Object transform(Object o) {
            return o;
        }

        @Override
        public byte systemCodecID() {
            return -1;
        }
    }
}
