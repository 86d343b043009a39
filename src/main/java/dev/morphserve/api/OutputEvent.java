package dev.morphserve.api;

import dev.morphserve.api.dto.Usage;
import dev.morphserve.engine.FinishReason;
import java.util.List;

/**
 * What {@link GenerationService} hands the response formatters: with echo a {@link Prompt} first,
 * then text pieces of the n choices (interleaved), one {@link Finish} per choice, and one
 * {@link Done} last.
 */
public sealed interface OutputEvent {

    /**
     * The prompt goes first in every choice (echo).
     *
     * @param logprobs the prompt's tokens with their logprobs, or null when logprobs were not asked for
     */
    record Prompt(List<TokenLogprob> logprobs) implements OutputEvent {}

    /**
     * Text of choice {@code index} safe to show, and the logprobs of the tokens whose text it
     * releases (null when not asked for). The text is empty only at the end of a choice, when it
     * carries the logprobs of tokens whose text never showed (a stop string, a partial character).
     */
    record Text(int index, String text, List<TokenLogprob> logprobs) implements OutputEvent {
        public Text(String text) {
            this(0, text, null);
        }
    }

    /** Choice {@code index} is over. */
    record Finish(int index, FinishReason reason) implements OutputEvent {}

    /** The last event of a request: token counts over all choices (the prompt counted once). */
    record Done(Usage usage) implements OutputEvent {}
}
