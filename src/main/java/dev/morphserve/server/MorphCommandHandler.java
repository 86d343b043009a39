package dev.morphserve.server;

import dev.morphserve.morph.MorphCommand;
import dev.morphserve.morph.MorphEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.ConsumeEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's side of the morph protocol: takes commands from the event bus (controller or
 * operator), hands them to the engine thread for its next step boundary, and publishes what the
 * engine applied on {@link MorphController#APPLIED}.
 */
@ApplicationScoped
public class MorphCommandHandler {
    private final LocalEngineClient engine;
    private final MorphService morph;
    private final EventBus bus;

    MorphCommandHandler(LocalEngineClient engine, MorphService morph, EventBus bus) {
        this.engine = engine;
        this.morph = morph;
        this.bus = bus;
    }

    void onStart(@Observes @Priority(30) StartupEvent event) {
        // Commands and events stay inside this JVM: pass the records by reference.
        for (Class<?> type : new Class<?>[] {MorphCommand.SwapDown.class, MorphCommand.SwapUp.class, MorphEvent.class}) {
            registerLocal(type);
        }
        morph.addListener(e -> bus.publish(MorphController.APPLIED, e));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void registerLocal(Class<?> type) {
        bus.registerDefaultCodec((Class) type, new LocalCodec(type.getName()));
    }

    @ConsumeEvent(MorphController.COMMANDS)
    void onCommand(MorphCommand command) {
        submit(command);
    }

    /** Queues a command for the engine's next step boundary; completes with what the engine did. */
    public CompletableFuture<MorphEvent> submit(MorphCommand command) {
        CompletableFuture<MorphEvent> result = new CompletableFuture<>();
        if (!morph.enabled()) {
            result.completeExceptionally(new IllegalStateException("morphing is disabled (morphserve.morph.enabled=false)"));
            return result;
        }
        engine.atNextStepBoundary(boundary -> result.complete(morph.swapper().apply(command, boundary)));
        return result;
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
