package dev.morphserve.morph;

import dev.morphserve.backend.LayerUpload;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LayerWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Which variant of each layer is resident where the model runs, and which one is on its way. Every
 * resident variant is an upload this object owns, counted against the budget; a layer moving
 * between levels holds two (the one it runs and the one being copied) until the switch.
 *
 * <pre>
 * layer l:  host tier [base | Q8_0 | Q4_0]  --upload-->  resident(l) at level(l)   [+ pending(l) while moving]
 * </pre>
 * Engine thread only (the uploads themselves copy elsewhere).
 */
public final class LayerResidency implements AutoCloseable {
    private final HostTier tier;
    private final Function<LayerWeights, LayerUpload> uploader;
    private final int[] levels;
    private final LayerUpload[] resident;
    private final LayerUpload[] pending;
    private final int[] pendingLevels;

    private LayerResidency(HostTier tier, Function<LayerWeights, LayerUpload> uploader) {
        int n = tier.numLayers();
        this.tier = tier;
        this.uploader = uploader;
        this.levels = new int[n];
        this.resident = new LayerUpload[n];
        this.pending = new LayerUpload[n];
        this.pendingLevels = new int[n];
    }

    /** Every layer's base variant made resident (waits for the copies). */
    public static LayerResidency allBase(HostTier tier, Function<LayerWeights, LayerUpload> uploader) {
        LayerResidency residency = new LayerResidency(tier, uploader);
        try {
            for (int l = 0; l < tier.numLayers(); l++) {
                residency.resident[l] = uploader.apply(tier.variant(l, 0));
            }
            for (LayerUpload upload : residency.resident) {
                while (!upload.isDone()) {
                    LockSupport.parkNanos(100_000);
                }
                upload.weights(); // a failed copy fails start-up here
            }
            return residency;
        } catch (RuntimeException e) {
            residency.close();
            throw e;
        }
    }

    public HostTier tier() {
        return tier;
    }

    public int numLayers() {
        return levels.length;
    }

    public int level(int layer) {
        return levels[layer];
    }

    /** Every layer's level now (a copy). */
    public int[] levels() {
        return levels.clone();
    }

    public GgmlType type(int layer) {
        return tier.type(layer, levels[layer]);
    }

    public boolean isMoving(int layer) {
        return pending[layer] != null;
    }

    /** The level a moving layer is going to. */
    public int pendingLevel(int layer) {
        return pendingLevels[layer];
    }

    /** What a runner's table should hold for every layer now. */
    public LayerWeights[] residentLayers() {
        LayerWeights[] layers = new LayerWeights[resident.length];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = resident[l].weights();
        }
        return layers;
    }

    /** Starts copying the layer's variant at {@code level} in; the layer keeps running its current one. */
    public LayerUpload begin(int layer, int level) {
        if (pending[layer] != null) {
            throw new IllegalStateException("layer " + layer + " is already moving to level " + pendingLevels[layer]);
        }
        pending[layer] = uploader.apply(tier.variant(layer, level));
        pendingLevels[layer] = level;
        return pending[layer];
    }

    /** Whether the layer's pending copy has finished. */
    public boolean ready(int layer) {
        return pending[layer] != null && pending[layer].isDone();
    }

    /**
     * Makes the finished pending variant the resident one and frees the old one; the caller puts the
     * returned weights into the table in the same step boundary.
     */
    public LayerWeights install(int layer) {
        LayerUpload next = pending[layer];
        LayerWeights weights = next.weights();
        LayerUpload old = resident[layer];
        resident[layer] = next;
        levels[layer] = pendingLevels[layer];
        pending[layer] = null;
        old.close();
        return weights;
    }

    /** Drops a pending copy (it failed, or the server stops). */
    public void cancel(int layer) {
        if (pending[layer] != null) {
            pending[layer].close();
            pending[layer] = null;
        }
    }

    public long copyNanos(int layer) {
        return resident[layer].copyNanos();
    }

    /** Bytes of the variants layers run on now. */
    public long residentBytes() {
        long bytes = 0;
        for (LayerUpload upload : resident) {
            bytes += upload == null ? 0 : upload.bytes();
        }
        return bytes;
    }

    /** Bytes of variants being copied in (already taken from the budget). */
    public long inFlightBytes() {
        long bytes = 0;
        for (LayerUpload upload : pending) {
            bytes += upload == null ? 0 : upload.bytes();
        }
        return bytes;
    }

    /** Layers below their base precision, ascending. */
    public List<Integer> swappedLayers() {
        List<Integer> layers = new ArrayList<>();
        for (int l = 0; l < levels.length; l++) {
            if (levels[l] > 0) {
                layers.add(l);
            }
        }
        return layers;
    }

    @Override
    public void close() {
        for (int l = 0; l < levels.length; l++) {
            cancel(l);
            if (resident[l] != null) {
                resident[l].close();
                resident[l] = null;
            }
        }
    }
}
