package dev.morphserve.server;

import dev.morphserve.kvcache.KvLayout;

/**
 * How many KV blocks the base chunk gets: what the memory budget leaves after resident weights and
 * the reserve, in whole blocks.
 *
 * <pre>
 * budget = resident weights + KV pool + reserve     =>  blocks = (budget - weights - reserve) / blockBytes
 * </pre>
 */
public record KvSizing(int numBlocks, long budgetBytes, long weightBytes, long reserveBytes) {

    static KvSizing of(ServeConfig.Memory memory, KvLayout layout, long weightBytes, int contextLength) {
        long reserve = memory.reserve().asLongValue();
        if (memory.budget().isEmpty()) {
            int blocks = layout.blocksFor(contextLength) * memory.defaultKvContexts();
            return new KvSizing(blocks, weightBytes + blocks * layout.blockBytes() + reserve, weightBytes, reserve);
        }
        long budget = memory.budget().get().asLongValue();
        long forKv = budget - weightBytes - reserve;
        long blocks = forKv / layout.blockBytes();
        if (blocks < layout.blocksFor(contextLength)) {
            throw new IllegalStateException(String.format(
                    "morphserve.memory.budget %d MB is too small: weights take %d MB and the reserve %d MB, leaving room for %d KV blocks"
                            + " but one full context needs %d; raise the budget to at least %d MB",
                    budget >> 20, weightBytes >> 20, reserve >> 20, Math.max(0, blocks), layout.blocksFor(contextLength),
                    (weightBytes + reserve + layout.blocksFor(contextLength) * layout.blockBytes()) / (1 << 20) + 1));
        }
        return new KvSizing((int) Math.min(Integer.MAX_VALUE, blocks), budget, weightBytes, reserve);
    }
}
