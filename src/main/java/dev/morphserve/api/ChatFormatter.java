package dev.morphserve.api;

import dev.morphserve.api.dto.ChatCompletionChunk;
import dev.morphserve.api.dto.ChatCompletionChunk.Delta;
import dev.morphserve.api.dto.ChatCompletionResponse;
import dev.morphserve.engine.FinishReason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shapes one request's {@link OutputEvent}s as {@code chat.completion} objects and chunks. */
final class ChatFormatter {
    private static final String ASSISTANT = "assistant";

    private final SseFrames frames;
    private final String id;
    private final String model;
    private final long createdSeconds;

    ChatFormatter(SseFrames frames, String id, String model, long createdSeconds) {
        this.frames = frames;
        this.id = id;
        this.model = model;
        this.createdSeconds = createdSeconds;
    }

    /**
     * Streaming: the role chunk goes out with the first event (not before, so that an engine
     * refusal still gets its own status code), then content deltas, an empty delta with
     * finish_reason, the usage chunk if asked for, and [DONE].
     */
    Multi<String> stream(Multi<OutputEvent> events, boolean includeUsage) {
        AtomicBoolean roleSent = new AtomicBoolean();
        return events.onItem().transformToIterable(event -> {
            List<String> out = new ArrayList<>(4);
            if (roleSent.compareAndSet(false, true)) {
                out.add(frames.data(chunk(new Delta(ASSISTANT, ""), null)));
            }
            switch (event) {
                case OutputEvent.Text text -> out.add(frames.data(chunk(new Delta(null, text.text()), null)));
                case OutputEvent.Done done -> {
                    out.add(frames.data(chunk(new Delta(null, null), done.reason().openAiName())));
                    if (includeUsage) {
                        out.add(frames.data(new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, createdSeconds, model, List.of(), done.usage())));
                    }
                    out.add(SseFrames.DONE);
                }
            }
            return out;
        });
    }

    /** A stream cut short (shutdown, engine failure): the empty delta that closes the choice. */
    List<String> abortFrames() {
        return List.of(frames.data(chunk(new Delta(null, null), FinishReason.ABORT.openAiName())));
    }

    /** Non-streaming: one assistant message with usage. */
    Uni<String> aggregate(Multi<OutputEvent> events) {
        return events.collect().asList().map(list -> {
            StringBuilder text = new StringBuilder();
            OutputEvent.Done done = null;
            for (OutputEvent event : list) {
                switch (event) {
                    case OutputEvent.Text t -> text.append(t.text());
                    case OutputEvent.Done d -> done = d;
                }
            }
            var choice = new ChatCompletionResponse.Choice(0, new ChatCompletionResponse.Message(ASSISTANT, text.toString()),
                    done == null ? "abort" : done.reason().openAiName(), null);
            return frames.json(new ChatCompletionResponse(id, ChatCompletionResponse.OBJECT, createdSeconds, model,
                    List.of(choice), done == null ? null : done.usage()));
        });
    }

    private ChatCompletionChunk chunk(Delta delta, String finishReason) {
        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, createdSeconds, model,
                List.of(new ChatCompletionChunk.Choice(0, delta, finishReason, null)), null);
    }
}
