package dev.morphserve.morph;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * What the engine did (or refused) at a step boundary, published on {@code morph.applied}.
 *
 * @param latencyNanos   from the decision to the moment the change took effect
 * @param kvBlocksDelta  blocks attached (+) or detached (-)
 * @param swappedLayers  the layers running in low precision afterwards
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MorphEvent(
        String action,
        int layer,
        boolean applied,
        String detail,
        long latencyNanos,
        int kvBlocksDelta,
        int totalKvBlocks,
        List<Integer> swappedLayers,
        long timestampMillis) {}
