package dev.morphserve.api;

import dev.morphserve.api.dto.ChatCompletionChunk;
import dev.morphserve.api.dto.ChatCompletionChunk.Delta;
import dev.morphserve.api.dto.ChatCompletionResponse;
import dev.morphserve.api.dto.ChatLogprobs;
import dev.morphserve.engine.FinishReason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shapes one request's {@link OutputEvent}s as {@code chat.completion} objects and chunks, n choices each. */
final class ChatFormatter {
    private static final String ASSISTANT = "assistant";

    private final SseFrames frames;
    private final String id;
    private final String model;
    private final long createdSeconds;
    private final int n;
    private final boolean logprobs;
    /** Choices whose finish_reason went out (streaming; one subscriber, in order). */
    private final boolean[] finished;

    ChatFormatter(SseFrames frames, String id, String model, long createdSeconds) {
        this(frames, id, model, createdSeconds, 1, false);
    }

    ChatFormatter(SseFrames frames, String id, String model, long createdSeconds, int n, boolean logprobs) {
        this.frames = frames;
        this.id = id;
        this.model = model;
        this.createdSeconds = createdSeconds;
        this.n = n;
        this.logprobs = logprobs;
        this.finished = new boolean[n];
    }

    /**
     * Streaming: a role chunk per choice goes out with the first event (not before, so that an
     * engine refusal still gets its own status code), then content deltas with their tokens'
     * logprobs, an empty delta with finish_reason per choice, the usage chunk if asked for, and [DONE].
     */
    Multi<String> stream(Multi<OutputEvent> events, boolean includeUsage) {
        AtomicBoolean roleSent = new AtomicBoolean();
        return events.onItem().transformToIterable(event -> {
            List<String> out = new ArrayList<>(4);
            if (roleSent.compareAndSet(false, true)) {
                for (int i = 0; i < n; i++) {
                    out.add(frames.data(chunk(i, new Delta(ASSISTANT, ""), null, null)));
                }
            }
            switch (event) {
                case OutputEvent.Prompt ignored -> {} // chat has no echo
                case OutputEvent.Text text -> {
                    ChatLogprobs lp = text.logprobs() == null ? null : LogprobsFormat.chat(text.logprobs());
                    out.add(frames.data(chunk(text.index(), new Delta(null, text.text()), lp, null)));
                }
                case OutputEvent.Finish finish -> {
                    finished[finish.index()] = true;
                    out.add(frames.data(chunk(finish.index(), new Delta(null, null), null, finish.reason().openAiName())));
                }
                case OutputEvent.Done done -> {
                    if (includeUsage) {
                        out.add(frames.data(new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, createdSeconds, model, List.of(), done.usage())));
                    }
                    out.add(SseFrames.DONE);
                }
            }
            return out;
        });
    }

    /** A stream cut short (shutdown, engine failure): an empty delta closing each unfinished choice. */
    List<String> abortFrames() {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!finished[i]) {
                out.add(frames.data(chunk(i, new Delta(null, null), null, FinishReason.ABORT.openAiName())));
            }
        }
        return out;
    }

    /** Non-streaming: one assistant message per choice, with usage. */
    Uni<String> aggregate(Multi<OutputEvent> events) {
        return events.collect().asList().map(list -> {
            ChoiceTotals totals = new ChoiceTotals(list, n, null);
            List<ChatCompletionResponse.Choice> choices = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                choices.add(new ChatCompletionResponse.Choice(i, new ChatCompletionResponse.Message(ASSISTANT, totals.text(i)),
                        totals.finishReason(i), logprobs ? LogprobsFormat.chat(totals.logprobs(i)) : null));
            }
            return frames.json(new ChatCompletionResponse(id, ChatCompletionResponse.OBJECT, createdSeconds, model, choices, totals.usage()));
        });
    }

    private ChatCompletionChunk chunk(int index, Delta delta, ChatLogprobs logprobs, String finishReason) {
        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, createdSeconds, model,
                List.of(new ChatCompletionChunk.Choice(index, delta, finishReason, logprobs)), null);
    }
}
