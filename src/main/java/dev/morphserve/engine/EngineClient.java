package dev.morphserve.engine;

import dev.morphserve.model.ModelConfig;
import dev.morphserve.tokenizer.Tokenizer;
import io.smallrye.mutiny.Multi;
import java.util.Optional;

/**
 * The engine as HTTP threads see it. Requests go into the engine thread's queue; each gets one
 * ordered stream of events. Never blocks the caller.
 */
public interface EngineClient {

    /**
     * A cold stream: subscribing submits the request; cancelling the subscription (a client that
     * went away, a stop string matched) aborts it and frees its KV blocks within one step. Fails
     * with {@link EngineOverloadedException} when the waiting queue is full, and with
     * {@link IllegalArgumentException} when the request cannot fit the model (prompt plus one
     * token longer than the context).
     */
    Multi<GenerationEvent> generate(GenerationRequest request);

    /** The served model's id (as /v1/models lists it). */
    String modelId();

    ModelConfig modelConfig();

    Tokenizer tokenizer();

    /** The GGUF's {@code tokenizer.chat_template}, if it has one. */
    Optional<String> chatTemplate();
}
