package dev.morphserve.morph;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.morphserve.backend.BackendMemory;
import java.util.List;

/**
 * Morphing as {@code GET /v1/morph} and the metrics read it: one consistent snapshot, built by
 * {@link MorphService#state}.
 *
 * @param backend   {@code cpu} or {@code cuda}; null before the model is loaded
 * @param device    what the backend reports of its memory now ({@code cuMemGetInfo} on a GPU)
 * @param hostTier  bytes of quantized variants held outside the budget (pinned on a GPU)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MorphState(
        boolean enabled,
        MorphMode mode,
        String levels,
        List<Integer> swapOrder,
        String swapOrderSource,
        List<Integer> swappedLayers,
        List<Layer> layers,
        Kv kvCache,
        Queue queue,
        MemoryBudget budget,
        String backend,
        BackendMemory device,
        long hostTierBytes,
        List<MorphEvent> recentEvents) {

    /** One decoder layer: its precision now, and where it is going while a copy runs. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Layer(int layer, String precision, int level, String state, String movingTo) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Queue(int waiting, int running, long preemptions) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Kv(String type, int chunks, int totalBlocks, int freeBlocks, int blockTokens, long bytes) {}
}
