package dev.morphserve.api;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Both completion endpoints answer with a {@link RestMulti} of pre-serialized strings, written
 * as raw bytes (the resource methods declare no media type, so Quarkus REST streams instead of
 * applying its SSE or JSON-array framing). Non-streaming answers are a stream of one JSON
 * document. The negotiated type is application/octet-stream (RestMulti's default), so Quarkus adds
 * no framing of its own; {@code encodeAsJsonArray} must stay at its default, since turning it off
 * appends a newline to every item. Status and headers are applied at the first item; a failure before it goes through
 * the exception mappers like any other error, and a client disconnect cancels the stream.
 */
final class Responses {
    private Responses() {}

    static RestMulti<String> eventStream(Multi<String> frames) {
        return RestMulti.fromMultiData(frames)
                .status(200)
                .header("Content-Type", SseFrames.CONTENT_TYPE)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no") // keep reverse proxies from buffering tokens
                .build();
    }

    static RestMulti<String> json(Uni<String> body) {
        return RestMulti.fromMultiData(body.toMulti())
                .status(200)
                .header("Content-Type", MediaType.APPLICATION_JSON + ";charset=UTF-8")
                .build();
    }
}
