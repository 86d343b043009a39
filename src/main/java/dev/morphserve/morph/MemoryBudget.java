package dev.morphserve.morph;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where the budget goes, in bytes. The service keeps {@code used() <= budget}: a swap-down turns
 * weight bytes into KV blocks, a swap-up turns a KV chunk back into weight bytes before copying.
 *
 * @param otherWeightBytes   embedding and output matrices (never swapped)
 * @param residentLayerBytes base copies of layers running at full precision
 * @param inFlightBytes      base copies being loaded back (counted from the moment the KV chunk left)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MemoryBudget(long budgetBytes, long otherWeightBytes, long residentLayerBytes, long inFlightBytes, long kvBytes, long reserveBytes) {

    @com.fasterxml.jackson.annotation.JsonProperty("used_bytes")
    public long used() {
        return otherWeightBytes + residentLayerBytes + inFlightBytes + kvBytes + reserveBytes;
    }

    @com.fasterxml.jackson.annotation.JsonProperty("within_budget")
    public boolean withinBudget() {
        return used() <= budgetBytes;
    }
}
