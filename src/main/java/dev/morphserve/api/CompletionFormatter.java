package dev.morphserve.api;

import dev.morphserve.api.dto.CompletionResponse;
import dev.morphserve.api.dto.Usage;
import dev.morphserve.engine.FinishReason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/** Shapes one request's {@link OutputEvent}s as {@code text_completion} objects. */
final class CompletionFormatter {
    private final SseFrames frames;
    private final String id;
    private final String model;
    private final long createdSeconds;

    CompletionFormatter(SseFrames frames, String id, String model, long createdSeconds) {
        this.frames = frames;
        this.id = id;
        this.model = model;
        this.createdSeconds = createdSeconds;
    }

    /** Streaming: a chunk per text piece, one carrying finish_reason, the usage chunk if asked for, then [DONE]. */
    Multi<String> stream(Multi<OutputEvent> events, boolean includeUsage) {
        return events.onItem().transformToIterable(event -> switch (event) {
            case OutputEvent.Text text -> List.of(frames.data(chunk(text.text(), null)));
            case OutputEvent.Done done -> {
                List<String> out = new ArrayList<>(3);
                out.add(frames.data(chunk("", done.reason().openAiName())));
                if (includeUsage) {
                    out.add(frames.data(new CompletionResponse(id, CompletionResponse.OBJECT, createdSeconds, model, List.of(), done.usage())));
                }
                out.add(SseFrames.DONE);
                yield out;
            }
        });
    }

    /** A stream cut short (shutdown, engine failure): the chunk that closes the choice. */
    List<String> abortFrames() {
        return List.of(frames.data(chunk("", FinishReason.ABORT.openAiName())));
    }

    /** Non-streaming: the whole text with usage. */
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
            String reason = done == null ? "abort" : done.reason().openAiName();
            Usage usage = done == null ? null : done.usage();
            return frames.json(new CompletionResponse(id, CompletionResponse.OBJECT, createdSeconds, model,
                    List.of(CompletionResponse.Choice.of(text.toString(), reason)), usage));
        });
    }

    private CompletionResponse chunk(String text, String finishReason) {
        return new CompletionResponse(id, CompletionResponse.OBJECT, createdSeconds, model,
                List.of(CompletionResponse.Choice.of(text, finishReason)), null);
    }
}
