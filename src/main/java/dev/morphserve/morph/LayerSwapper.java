package dev.morphserve.morph;

import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.StepHook;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.model.WeightsTable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Applies morph commands on the engine thread, between two steps, so that no forward pass sees a
 * half-changed model and every running request keeps its KV. A swap in either direction is the
 * same move: copy the layer's next variant in while steps go on, switch the table in the first
 * boundary after the copy finished, free the old variant. What differs is where the memory comes
 * from and goes:
 *
 * <pre>
 * swap down l: copy low(l) into staging room  ..steps..  table[l] = low(l) | free high(l) | KV grows by the headroom
 * swap up   l: KV shrinks if the headroom is short | copy high(l)  ..steps..  table[l] = high(l) | free low(l)
 * shrink KV  : grown chunks without live blocks go back to the headroom
 * </pre>
 */
public final class LayerSwapper implements StepHook {
    private static final long IDLE_COUNT_INTERVAL_NANOS = 100_000_000L;
    private final WeightsTable table;
    private final LayerResidency residency;
    private final MemoryAccount memory;
    private final KvResizer resizer = new KvResizer();
    private final Consumer<MorphEvent> events;
    private final Map<Integer, Moving> moving = new HashMap<>();
    private long boundaries; // beforeStep calls so far
    private long idleCountedAtNanos;
    private volatile int numSwapped;
    private volatile int idleGrownChunks;
    private volatile int[] levels; // snapshot for other threads
    private volatile Set<Integer> movingLayers = Set.of();

    /** A layer whose copy is under way: the command it serves and the boundary the copy began in. */
    private record Moving(MorphCommand command, long startedAtBoundary) {}

    public LayerSwapper(WeightsTable table, LayerResidency residency, MemoryAccount memory, Consumer<MorphEvent> events) {
        this.table = table;
        this.residency = residency;
        this.memory = memory;
        this.events = events;
        this.levels = new int[residency.numLayers()];
    }

    /** Applies one command now (engine thread, between steps); the first event tells what became of it. */
    public MorphEvent apply(MorphCommand command, StepBoundary boundary) {
        return switch (command) {
            case MorphCommand.SwapDown down -> swapDown(down, boundary.pool());
            case MorphCommand.SwapUp up -> swapUp(up, boundary);
            case MorphCommand.ShrinkKv shrink -> {
                KvResizer.Resize r = resizer.shrinkIdle(boundary);
                yield r.blocksDelta() == 0
                        ? refuse(shrink, -1, "no grown KV chunk is idle", boundary.pool())
                        : publish(shrink, MorphAction.KV_SHRINK, MorphOutcome.APPLIED, -1, -1, "gave back %.1f MB of idle KV chunks".formatted(r.bytes() / 1e6),
                                0, r.blocksDelta(), boundary.pool());
            }
        };
    }

    private MorphEvent swapDown(MorphCommand.SwapDown command, BlockPool pool) {
        int l = command.layer();
        int from = residency.level(l);
        if (residency.isMoving(l)) {
            return refuse(command, l, "layer " + l + " is already moving to " + residency.tier().type(l, residency.pendingLevel(l)), pool);
        }
        if (from == residency.tier().lowestLevel()) {
            return refuse(command, l, "layer " + l + " already runs at the lowest level, " + residency.type(l), pool);
        }
        long need = residency.tier().bytes(l, from + 1);
        long headroom = memory.now(pool.byteSize()).headroomBytes();
        if (need > headroom) {
            return refuse(command, l, "no room to copy the %s variant in: %.1f MB needed, %.1f MB free in the budget"
                    .formatted(residency.tier().type(l, from + 1), need / 1e6, headroom / 1e6), pool);
        }
        return begin(command, l, from + 1, pool);
    }

    private MorphEvent swapUp(MorphCommand.SwapUp command, StepBoundary boundary) {
        int l = command.layer();
        BlockPool pool = boundary.pool();
        int from = residency.level(l);
        if (residency.isMoving(l)) {
            return refuse(command, l, "layer " + l + " is already moving to " + residency.tier().type(l, residency.pendingLevel(l)), pool);
        }
        if (from == 0) {
            return refuse(command, l, "layer " + l + " already runs at its base precision, " + residency.type(l), pool);
        }
        long need = residency.tier().bytes(l, from - 1);
        long short_ = need - memory.now(pool.byteSize()).headroomBytes();
        if (short_ > 0) {
            KvResizer.Resize r = resizer.shrink(boundary, short_);
            if (r.blocksDelta() != 0) {
                publish(command, MorphAction.KV_SHRINK, MorphOutcome.APPLIED, -1, -1, "gave back %.1f MB of KV, moving %d live blocks"
                        .formatted(r.bytes() / 1e6, r.blocksMoved()), 0, r.blocksDelta(), pool);
            }
            long headroom = memory.now(pool.byteSize()).headroomBytes();
            if (need > headroom) {
                return refuse(command, l, "the KV cache cannot give back enough memory now: %.1f MB needed, %.1f MB free (its live blocks do not fit in fewer chunks)"
                        .formatted(need / 1e6, headroom / 1e6), pool);
            }
        }
        return begin(command, l, from - 1, pool);
    }

    private MorphEvent begin(MorphCommand command, int layer, int toLevel, BlockPool pool) {
        int from = residency.level(layer);
        try {
            residency.begin(layer, toLevel);
        } catch (RuntimeException cannotCopy) {
            // e.g. the device refused the allocation: a refusal, never a failure of the running requests
            return refuse(command, layer, "cannot start copying the " + residency.tier().type(layer, toLevel) + " variant in: "
                    + cannotCopy.getMessage(), pool);
        }
        // Commands run before this boundary's beforeStep: the switch comes at a later boundary, never the one the copy began in.
        moving.put(layer, new Moving(command, boundaries + 1));
        movingLayers = Set.copyOf(moving.keySet());
        return publish(command, command.action(), MorphOutcome.ACCEPTED, layer, from, "copying the %s variant in (%.1f MB)"
                .formatted(residency.tier().type(layer, toLevel), residency.tier().bytes(layer, toLevel) / 1e6), 0, 0, pool);
    }

    /** Switches in every layer whose copy finished since the last step; a swap-down's freed memory grows the KV cache. */
    @Override
    public void beforeStep(StepBoundary boundary) {
        boundaries++;
        BlockPool pool = boundary.pool();
        long now = System.nanoTime();
        if (now - idleCountedAtNanos >= IDLE_COUNT_INTERVAL_NANOS) { // only the controller reads it, a few times a second
            idleCountedAtNanos = now;
            idleGrownChunks = pool.numChunks() == 1 ? 0 : KvResizer.idleGrown(boundary).size();
        }
        if (moving.isEmpty()) {
            return;
        }
        for (var it = moving.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            int l = entry.getKey();
            MorphCommand command = entry.getValue().command();
            if (boundaries <= entry.getValue().startedAtBoundary() || !residency.ready(l)) {
                continue;
            }
            it.remove();
            movingLayers = Set.copyOf(moving.keySet());
            int from = residency.level(l);
            try {
                table.replaceLayer(l, residency.install(l));
            } catch (RuntimeException copyFailed) {
                residency.cancel(l);
                refuse(command, l, "copying the variant in failed: " + copyFailed.getMessage(), pool);
                continue;
            }
            numSwapped = residency.swappedLayers().size();
            levels = residency.levels();
            publish(command, command.action(), MorphOutcome.APPLIED, l, from, "now " + residency.type(l), residency.copyNanos(l), 0, pool);
            if (command instanceof MorphCommand.SwapDown) {
                long spare = memory.now(pool.byteSize()).headroomBytes() - memory.stagingBytes();
                KvResizer.Resize r = resizer.grow(pool, spare);
                if (r.blocksDelta() > 0) {
                    publish(command, MorphAction.KV_GROW, MorphOutcome.APPLIED, -1, -1, "attached %.1f MB freed by layer %d".formatted(r.bytes() / 1e6, l),
                            0, r.blocksDelta(), pool);
                }
            }
        }
    }

    @Override
    public int numSwappedLayers() {
        return numSwapped;
    }

    /** Each layer's precision level (0 = base) as of the last switch; safe from any thread. */
    public int[] levels() {
        return levels.clone();
    }

    /** Grown KV chunks without a live block as of the last step; safe from any thread. */
    public int idleGrownChunks() {
        return idleGrownChunks;
    }

    /** Layers whose copy is under way; safe from any thread. */
    public Set<Integer> movingLayers() {
        return movingLayers;
    }

    private MorphEvent refuse(MorphCommand command, int layer, String why, BlockPool pool) {
        return publish(command, command.action(), MorphOutcome.REFUSED, layer, -1, why, 0, 0, pool);
    }

    private MorphEvent publish(MorphCommand command, MorphAction action, MorphOutcome outcome, int layer, int fromLevel,
            String detail, long copyNanos, int blocksDelta, BlockPool pool) {
        String fromType = layer < 0 || fromLevel < 0 ? null : residency.tier().type(layer, fromLevel).name();
        String toType = layer < 0 ? null : (residency.isMoving(layer) ? residency.tier().type(layer, residency.pendingLevel(layer)) : residency.type(layer)).name();
        MorphEvent event = new MorphEvent(command.id(), action, outcome, layer, fromType, toType, detail,
                System.nanoTime() - command.decidedNanos(), copyNanos, blocksDelta, pool.numTotalBlocks(), residency.swappedLayers(),
                System.currentTimeMillis());
        events.accept(event);
        return event;
    }
}
