package dev.morphserve.morph;

import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.StepHook;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.KvChunk;
import dev.morphserve.model.WeightsTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * Applies morph commands on the engine thread, between two steps, so that no forward pass ever
 * sees a half-changed model and every running request keeps its KV.
 *
 * <pre>
 * swap down l:  table[l] = low(l) | free base(l) | attach chunk of floor(freed / blockBytes) blocks
 * swap up   l:  detach chunk(l) (live blocks moved) | copy base(l) back on the copier thread ...
 *               ... decoding goes on with low(l) ... | next boundary after the copy: table[l] = base(l)
 * </pre>
 */
public final class LayerSwapper implements StepHook {
    private final WeightsTable table;
    private final LayerResidency residency;
    private final ExecutorService copier;
    private final Consumer<MorphEvent> events;
    private final Map<Integer, KvChunk> chunkOfLayer = new HashMap<>();
    private final Map<Integer, Pending> loading = new HashMap<>();
    private volatile List<Integer> swapped = List.of();
    private volatile long inFlightBytes;

    private record Pending(MorphCommand.SwapUp command, CompletableFuture<LayerResidency.Loaded> copy) {}

    public LayerSwapper(WeightsTable table, LayerResidency residency, ExecutorService copier, Consumer<MorphEvent> events) {
        this.table = table;
        this.residency = residency;
        this.copier = copier;
        this.events = events;
    }

    /** Applies one command now (on the engine thread between steps); returns what it did or why not. */
    public MorphEvent apply(MorphCommand command, StepBoundary boundary) {
        return switch (command) {
            case MorphCommand.SwapDown down -> swapDown(down, boundary.pool());
            case MorphCommand.SwapUp up -> startSwapUp(up, boundary);
        };
    }

    private MorphEvent swapDown(MorphCommand.SwapDown command, BlockPool pool) {
        int l = command.layer();
        if (!residency.isResident(l) || loading.containsKey(l)) {
            return publish("swap_down", l, false, "layer " + l + " is not resident at full precision", command.decidedNanos(), 0, pool);
        }
        table.replaceLayer(l, residency.low(l));
        long freedBytes = residency.baseBytes(l);
        residency.release(l);
        int blocks = (int) (freedBytes / pool.layout().blockBytes());
        if (blocks > 0) {
            chunkOfLayer.put(l, pool.attachChunk(blocks));
        }
        refreshSwapped();
        return publish("swap_down", l, true, "freed " + freedBytes + " bytes of weights", command.decidedNanos(), blocks, pool);
    }

    private MorphEvent startSwapUp(MorphCommand.SwapUp command, StepBoundary boundary) {
        int l = command.layer();
        BlockPool pool = boundary.pool();
        if (residency.isResident(l) || loading.containsKey(l)) {
            return publish("swap_up", l, false, "layer " + l + " is not swapped down", command.decidedNanos(), 0, pool);
        }
        int detached = 0;
        int moved = 0;
        KvChunk chunk = chunkOfLayer.get(l);
        if (chunk != null) {
            try {
                moved = pool.detachChunk(chunk, boundary.liveBlockTables());
            } catch (IllegalStateException notNow) {
                return publish("swap_up", l, false, notNow.getMessage(), command.decidedNanos(), 0, pool);
            }
            chunkOfLayer.remove(l);
            detached = chunk.numBlocks();
        }
        inFlightBytes += residency.baseBytes(l);
        loading.put(l, new Pending(command, CompletableFuture.supplyAsync(() -> residency.load(l), copier)));
        return publish("kv_shrink", l, true, "detached the layer's KV chunk, moving " + moved + " live blocks; copying its weights back",
                command.decidedNanos(), -detached, pool);
    }

    /** Switches in every layer whose base copy finished since the last step. */
    @Override
    public void beforeStep(StepBoundary boundary) {
        if (loading.isEmpty()) {
            return;
        }
        for (var it = loading.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (entry.getValue().copy().isDone()) {
                it.remove();
                LayerResidency.Loaded loaded = entry.getValue().copy().join();
                residency.install(loaded);
                table.replaceLayer(loaded.layer(), loaded.weights());
                inFlightBytes -= residency.baseBytes(loaded.layer());
                refreshSwapped();
                publish("swap_up", loaded.layer(), true, "base weights back", entry.getValue().command().decidedNanos(), 0, boundary.pool());
            }
        }
    }

    @Override
    public int numSwappedLayers() {
        return swapped.size();
    }

    /** Layers running in low precision now (those still copying back included). */
    public List<Integer> swappedLayers() {
        return swapped;
    }

    /** Bytes of base copies on their way back (already counted against the budget). */
    public long inFlightBytes() {
        return inFlightBytes;
    }

    private void refreshSwapped() {
        List<Integer> list = new ArrayList<>();
        for (int l = 0; l < residency.numLayers(); l++) {
            if (!residency.isResident(l)) {
                list.add(l);
            }
        }
        swapped = List.copyOf(list);
    }

    private MorphEvent publish(String action, int layer, boolean applied, String detail, long decidedNanos, int blocksDelta, BlockPool pool) {
        MorphEvent event = new MorphEvent(action, layer, applied, detail, System.nanoTime() - decidedNanos, blocksDelta,
                pool.numTotalBlocks(), swapped, System.currentTimeMillis());
        events.accept(event);
        return event;
    }
}
