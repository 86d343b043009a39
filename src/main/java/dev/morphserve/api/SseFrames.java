package dev.morphserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.api.dto.ErrorResponse;
import io.smallrye.mutiny.Multi;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Server-Sent Events framing, done by hand: every event is {@code data: <json>} and the stream
 * ends with the literal {@code data: [DONE]}, as OpenAI's clients expect. Quarkus REST's own SSE
 * writer emits {@code data:} without the space and, for text elements, loses leading spaces of
 * the payload, so the resources stream these pre-framed strings as raw bytes instead.
 */
public final class SseFrames {
    public static final String DONE = "data: [DONE]\n\n";
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

    private final ObjectMapper mapper;

    public SseFrames(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** One event carrying {@code payload} serialized as JSON (never containing a raw newline). */
    public String data(Object payload) {
        return "data: " + json(payload) + "\n\n";
    }

    public String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + payload.getClass().getSimpleName(), e);
        }
    }

    /**
     * Failures before the first frame propagate (the exception mappers then answer with a proper
     * status, e.g. 503 with Retry-After); once the stream has started, the status line is gone, so a
     * failure ends the stream with {@code finishFrames} (each choice's {@code finish_reason}, so that
     * clients that wait for one stop waiting), an error event and [DONE], as vLLM does.
     */
    public Multi<String> guard(Multi<String> frames, Function<Throwable, ErrorResponse> describe, Supplier<List<String>> finishFrames) {
        AtomicBoolean started = new AtomicBoolean();
        return frames.onItem().invoke(() -> started.set(true))
                .onFailure(t -> started.get())
                .recoverWithMulti(t -> {
                    List<String> tail = new ArrayList<>(finishFrames.get());
                    tail.add(data(describe.apply(t)));
                    tail.add(DONE);
                    return Multi.createFrom().iterable(tail);
                });
    }
}
