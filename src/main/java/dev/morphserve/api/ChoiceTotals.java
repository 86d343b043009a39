package dev.morphserve.api;

import dev.morphserve.api.dto.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * A non-streamed request's events summed per choice: the whole text (the echoed prompt first, if
 * any), the logprob entries in order, the finish reason ("abort" for a choice that never got one)
 * and the request's usage. What both formatters' {@code aggregate} start from.
 */
final class ChoiceTotals {
    private final StringBuilder[] texts;
    private final List<List<TokenLogprob>> logprobs;
    private final String[] reasons;
    private Usage usage;

    /** @param echo prompt text that leads every choice, or null */
    ChoiceTotals(List<OutputEvent> events, int n, String echo) {
        texts = new StringBuilder[n];
        logprobs = new ArrayList<>(n);
        reasons = new String[n];
        for (int i = 0; i < n; i++) {
            texts[i] = new StringBuilder();
            logprobs.add(new ArrayList<>());
            reasons[i] = "abort";
        }
        for (OutputEvent event : events) {
            switch (event) {
                case OutputEvent.Prompt p -> {
                    for (int i = 0; i < n && echo != null; i++) {
                        add(i, echo, p.logprobs());
                    }
                }
                case OutputEvent.Text t -> add(t.index(), t.text(), t.logprobs());
                case OutputEvent.Finish f -> reasons[f.index()] = f.reason().openAiName();
                case OutputEvent.Done d -> usage = d.usage();
            }
        }
    }

    private void add(int choice, String text, List<TokenLogprob> entries) {
        texts[choice].append(text);
        if (entries != null) {
            logprobs.get(choice).addAll(entries);
        }
    }

    String text(int choice) {
        return texts[choice].toString();
    }

    List<TokenLogprob> logprobs(int choice) {
        return logprobs.get(choice);
    }

    String finishReason(int choice) {
        return reasons[choice];
    }

    /** Null when the engine never reported one (the stream ended without its Done). */
    Usage usage() {
        return usage;
    }
}
