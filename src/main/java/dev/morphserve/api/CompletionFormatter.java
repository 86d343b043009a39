package dev.morphserve.api;

import dev.morphserve.api.dto.CompletionLogprobs;
import dev.morphserve.api.dto.CompletionResponse;
import dev.morphserve.engine.FinishReason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * Shapes one request's {@link OutputEvent}s as {@code text_completion} objects: n choices, each
 * with the echoed prompt first when asked, and legacy logprobs whose text offsets count from the
 * start of the choice's text (echo included).
 */
final class CompletionFormatter {
    private final SseFrames frames;
    private final String id;
    private final String model;
    private final long createdSeconds;
    private final int n;
    /** The prompt text to echo, or null. */
    private final String echo;
    private final boolean logprobs;
    /** Choices whose finish_reason went out (streaming; one subscriber, in order). */
    private final boolean[] finished;

    CompletionFormatter(SseFrames frames, String id, String model, long createdSeconds) {
        this(frames, id, model, createdSeconds, 1, null, false);
    }

    CompletionFormatter(SseFrames frames, String id, String model, long createdSeconds, int n, String echo, boolean logprobs) {
        this.frames = frames;
        this.id = id;
        this.model = model;
        this.createdSeconds = createdSeconds;
        this.n = n;
        this.echo = echo;
        this.logprobs = logprobs;
        this.finished = new boolean[n];
    }

    /**
     * Streaming: with echo, a chunk per choice with the prompt first; then a chunk per text piece,
     * one per choice carrying its finish_reason, the usage chunk if asked for, then [DONE].
     */
    Multi<String> stream(Multi<OutputEvent> events, boolean includeUsage) {
        int[] textOffsets = new int[n]; // per choice: where the next chunk's text starts; one subscriber, in order
        return events.onItem().transformToIterable(event -> switch (event) {
            case OutputEvent.Prompt prompt -> {
                List<String> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(frames.data(chunk(i, echo, promptLogprobs(prompt), null)));
                    textOffsets[i] = prompt.logprobs() == null ? echo.length() : LogprobsFormat.textLength(prompt.logprobs());
                }
                yield out;
            }
            case OutputEvent.Text text -> {
                CompletionLogprobs lp = text.logprobs() == null ? null : LogprobsFormat.completion(text.logprobs(), textOffsets[text.index()]);
                textOffsets[text.index()] += text.logprobs() == null ? text.text().length() : LogprobsFormat.textLength(text.logprobs());
                yield List.of(frames.data(chunk(text.index(), text.text(), lp, null)));
            }
            case OutputEvent.Finish finish -> {
                finished[finish.index()] = true;
                yield List.of(frames.data(chunk(finish.index(), "", null, finish.reason().openAiName())));
            }
            case OutputEvent.Done done -> {
                List<String> out = new ArrayList<>(2);
                if (includeUsage) {
                    out.add(frames.data(new CompletionResponse(id, CompletionResponse.OBJECT, createdSeconds, model, List.of(), done.usage())));
                }
                out.add(SseFrames.DONE);
                yield out;
            }
        });
    }

    /** A stream cut short (shutdown, engine failure): a chunk closing each unfinished choice. */
    List<String> abortFrames() {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!finished[i]) {
                out.add(frames.data(chunk(i, "", null, FinishReason.ABORT.openAiName())));
            }
        }
        return out;
    }

    /** Non-streaming: each choice's whole text (and logprobs), with usage. */
    Uni<String> aggregate(Multi<OutputEvent> events) {
        return events.collect().asList().map(list -> {
            ChoiceTotals totals = new ChoiceTotals(list, n, echo);
            List<CompletionResponse.Choice> choices = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                CompletionLogprobs lp = logprobs ? LogprobsFormat.completion(totals.logprobs(i), 0) : null;
                choices.add(CompletionResponse.Choice.of(i, totals.text(i), totals.finishReason(i), lp));
            }
            return frames.json(new CompletionResponse(id, CompletionResponse.OBJECT, createdSeconds, model, choices, totals.usage()));
        });
    }

    private static CompletionLogprobs promptLogprobs(OutputEvent.Prompt prompt) {
        return prompt.logprobs() == null ? null : LogprobsFormat.completion(prompt.logprobs(), 0);
    }

    private CompletionResponse chunk(int index, String text, CompletionLogprobs logprobs, String finishReason) {
        return new CompletionResponse(id, CompletionResponse.OBJECT, createdSeconds, model,
                List.of(CompletionResponse.Choice.of(index, text, finishReason, logprobs)), null);
    }
}
