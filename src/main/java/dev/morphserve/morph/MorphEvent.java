package dev.morphserve.morph;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What the engine did with a command at a step boundary, published once on the event bus
 * ({@link MorphCommands#APPLIED}) where SSE, metrics and logs read it.
 *
 * @param commandId     the command's id (a swap's accepted and applied events share it)
 * @param layer         the layer swapped, or -1 for a KV resize
 * @param fromType      the layer's precision before (null for a KV resize)
 * @param toType        the layer's precision after
 * @param latencyNanos  from the decision to this event
 * @param copyNanos     how long copying the new variant in took (0 when nothing was copied)
 * @param kvBlocksDelta blocks attached (+) or detached (-)
 * @param swappedLayers the layers below their base precision afterwards
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MorphEvent(
        long commandId,
        MorphAction action,
        MorphOutcome outcome,
        int layer,
        String fromType,
        String toType,
        String detail,
        long latencyNanos,
        long copyNanos,
        int kvBlocksDelta,
        int totalKvBlocks,
        List<Integer> swappedLayers,
        long timestampMillis) {

    public MorphEvent {
        swappedLayers = List.copyOf(swappedLayers);
    }

    public boolean applied() {
        return outcome == MorphOutcome.APPLIED;
    }
}
