package dev.morphserve.api;

import dev.morphserve.api.dto.Usage;
import dev.morphserve.engine.FinishReason;

/** What {@link GenerationService} hands the response formatters: text pieces, then one {@link Done}. */
public sealed interface OutputEvent {

    /** Text safe to show (never empty). */
    record Text(String text) implements OutputEvent {}

    /** The last event of a request. */
    record Done(FinishReason reason, Usage usage) implements OutputEvent {}
}
