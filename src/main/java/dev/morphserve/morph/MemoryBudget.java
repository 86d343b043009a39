package dev.morphserve.morph;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where the serving budget goes now, in bytes: everything resident where the model runs (device
 * memory on a GPU). The service keeps {@code used() <= budgetBytes}: a swap-down copies the lower
 * variant in (in flight), frees the higher one and gives what is left to the KV cache, keeping
 * {@code stagingBytes} free so that the next swap-down can start; a swap-up takes KV chunks back
 * first when the headroom is short.
 *
 * @param otherWeightBytes embedding, output and norms (never swapped)
 * @param layerBytes       the variant every layer runs on now (a swapped layer's low variant counts)
 * @param inFlightBytes    variants being copied in
 * @param activationBytes  scratch and activations of the largest step
 * @param stagingBytes     kept free for the next swap's copy (part of the headroom)
 * @param headroomBytes    budget not in use
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MemoryBudget(long budgetBytes, long otherWeightBytes, long layerBytes, long inFlightBytes, long kvBytes,
        long activationBytes, long reserveBytes, long stagingBytes, long usedBytes, long headroomBytes, boolean withinBudget) {

    /** The parts; used, headroom and the verdict follow from them (components, so that they reach the JSON). */
    public static MemoryBudget of(long budgetBytes, long otherWeightBytes, long layerBytes, long inFlightBytes, long kvBytes,
            long activationBytes, long reserveBytes, long stagingBytes) {
        long used = otherWeightBytes + layerBytes + inFlightBytes + kvBytes + activationBytes + reserveBytes;
        return new MemoryBudget(budgetBytes, otherWeightBytes, layerBytes, inFlightBytes, kvBytes, activationBytes, reserveBytes,
                stagingBytes, used, budgetBytes - used, used <= budgetBytes);
    }
}
