package dev.morphserve.morph;

import dev.morphserve.kvcache.KvLayout;
import java.util.OptionalLong;

/**
 * The budget's fixed parts, fixed at start-up, and the moving ones read from their owners (the
 * residency, the KV pool) whenever asked, so that the account never drifts from what is held.
 *
 * <pre>
 * budget = other weights + layers (resident variants) + in flight + KV + activations + reserve + headroom
 * at start: KV blocks = (budget - everything else - staging) / blockBytes
 * </pre>
 */
public final class MemoryAccount {
    private final long budgetBytes;
    private final long otherWeightBytes;
    private final long activationBytes;
    private final long reserveBytes;
    private final long stagingBytes;
    private final LayerResidency residency; // null when morphing is off: layers then stay at their base bytes
    private final long fixedLayerBytes;
    private final int initialKvBlocks;

    private MemoryAccount(long budgetBytes, long otherWeightBytes, long activationBytes, long reserveBytes, long stagingBytes,
            LayerResidency residency, long fixedLayerBytes, int initialKvBlocks) {
        this.budgetBytes = budgetBytes;
        this.otherWeightBytes = otherWeightBytes;
        this.activationBytes = activationBytes;
        this.reserveBytes = reserveBytes;
        this.stagingBytes = stagingBytes;
        this.residency = residency;
        this.fixedLayerBytes = fixedLayerBytes;
        this.initialKvBlocks = initialKvBlocks;
    }

    /**
     * Splits the budget at start-up.
     *
     * @param budgetBytes       the configured budget; absent: what the rest takes plus {@code defaultKvTokens} of KV
     * @param layerBytes        every layer at its base variant
     * @param stagingBytes      room kept free for a swap's copy (0 without morphing)
     * @param minKvTokens       one full context: a budget leaving less is refused
     */
    public static MemoryAccount split(OptionalLong budgetBytes, long otherWeightBytes, long layerBytes, long activationBytes,
            long reserveBytes, long stagingBytes, KvLayout kv, int minKvTokens, int defaultKvTokens, LayerResidency residency) {
        long fixed = otherWeightBytes + layerBytes + activationBytes + reserveBytes + stagingBytes;
        if (budgetBytes.isEmpty()) {
            int blocks = kv.blocksFor(defaultKvTokens);
            return new MemoryAccount(fixed + blocks * kv.blockBytes(), otherWeightBytes, activationBytes, reserveBytes,
                    stagingBytes, residency, layerBytes, blocks);
        }
        long budget = budgetBytes.getAsLong();
        long blocks = (budget - fixed) / kv.blockBytes();
        int needed = kv.blocksFor(minKvTokens);
        if (blocks < needed) {
            throw new IllegalStateException(String.format(
                    "morphserve.memory.budget %d MB is too small: weights take %d MB, activations %d MB, the reserve %d MB"
                            + " and swap staging %d MB, leaving room for %d KV blocks but one full context needs %d;"
                            + " raise the budget to at least %d MB (or lower morphserve.context-length)",
                    budget >> 20, (otherWeightBytes + layerBytes) >> 20, activationBytes >> 20, reserveBytes >> 20,
                    stagingBytes >> 20, Math.max(0, blocks), needed, (fixed + needed * kv.blockBytes()) / (1 << 20) + 1));
        }
        return new MemoryAccount(budget, otherWeightBytes, activationBytes, reserveBytes, stagingBytes, residency, layerBytes,
                (int) Math.min(Integer.MAX_VALUE, blocks));
    }

    public int initialKvBlocks() {
        return initialKvBlocks;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    public long stagingBytes() {
        return stagingBytes;
    }

    /** The budget's parts now, with the KV pool's current size. */
    public MemoryBudget now(long kvBytes) {
        long layers = residency == null ? fixedLayerBytes : residency.residentBytes();
        long inFlight = residency == null ? 0 : residency.inFlightBytes();
        return MemoryBudget.of(budgetBytes, otherWeightBytes, layers, inFlight, kvBytes, activationBytes, reserveBytes, stagingBytes);
    }
}
