package dev.morphserve.morph;

import dev.morphserve.model.LayerWeights;
import dev.morphserve.tensor.Tensor;
import java.lang.foreign.Arena;
import dev.morphserve.model.WeightsTable;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Where each layer's weights live. The base variant of a resident layer is a private off-heap copy
 * (counted against the memory budget, really freed on swap-down); its source stays in the host
 * tier (the mmapped model file) to be copied back on swap-up. Low variants live in the host tier.
 *
 * <pre>
 * layer l:  source (mmap, host)  --copy-->  base copy (Arena l, budget)   [resident]
 *           low variant (host)                                            [swapped: base Arena closed]
 * </pre>
 */
public final class LayerResidency implements AutoCloseable {
    private final LayerWeights[] sources;
    private final LayerWeights[] lows;
    private final Arena[] baseArenas;
    private final LayerWeights[] bases;
    private final BiFunction<Tensor, Arena, Tensor> materialize;
    private final long[] baseBytes;

    /**
     * @param materialize makes a resident copy of a source tensor owned by the given arena, in the
     *                    layout the kernels read (the backend's {@code materialize})
     */
    public LayerResidency(LayerWeights[] sources, LayerWeights[] lows, BiFunction<Tensor, Arena, Tensor> materialize) {
        this.sources = sources.clone();
        this.lows = lows.clone();
        this.materialize = materialize;
        this.baseBytes = new long[sources.length];
        this.baseArenas = new Arena[sources.length];
        this.bases = new LayerWeights[sources.length];
        for (int l = 0; l < sources.length; l++) {
            Arena arena = Arena.ofShared();
            baseArenas[l] = arena;
            bases[l] = copy(sources[l], arena);
            baseBytes[l] = bases[l].matrixBytes();
        }
    }

    /**
     * Residency for every layer of {@code source}: base copies made with {@code materialize}, low
     * variants from {@code variants} passed through {@code prepareLow} (the kernels' layout).
     */
    public static LayerResidency of(WeightsTable source, LayerVariants variants, UnaryOperator<LayerWeights> prepareLow,
            BiFunction<Tensor, Arena, Tensor> materialize) {
        LayerWeights[] sources = new LayerWeights[source.numLayers()];
        LayerWeights[] lows = new LayerWeights[source.numLayers()];
        for (int l = 0; l < sources.length; l++) {
            sources[l] = source.layer(l);
            lows[l] = prepareLow.apply(variants.low(l));
        }
        return new LayerResidency(sources, lows, materialize);
    }

    /** The resident base variant of every layer, for a weights table to start from. */
    public LayerWeights[] residentLayers() {
        return bases.clone();
    }

    public int numLayers() {
        return sources.length;
    }

    public boolean isResident(int layer) {
        return bases[layer] != null;
    }

    /** The resident base variant; null while swapped. */
    public LayerWeights base(int layer) {
        return bases[layer];
    }

    public LayerWeights low(int layer) {
        return lows[layer];
    }

    /** Bytes a layer's base copy takes (and frees when swapped down). */
    public long baseBytes(int layer) {
        return baseBytes[layer];
    }

    /** Bytes of every resident base copy. */
    public long residentBytes() {
        long bytes = 0;
        for (int l = 0; l < bases.length; l++) {
            if (bases[l] != null) {
                bytes += baseBytes(l);
            }
        }
        return bytes;
    }

    /** Releases the base copy: the caller has already switched the layer to its low variant. */
    public void release(int layer) {
        if (bases[layer] == null) {
            throw new IllegalStateException("layer " + layer + " is not resident");
        }
        bases[layer] = null;
        baseArenas[layer].close();
        baseArenas[layer] = null;
    }

    /** Copies the base weights back into a fresh arena (any thread); {@link #install} makes them resident. */
    public Loaded load(int layer) {
        Arena arena = Arena.ofShared();
        return new Loaded(layer, copy(sources[layer], arena), arena);
    }

    public void install(Loaded loaded) {
        if (bases[loaded.layer()] != null) {
            loaded.arena().close();
            throw new IllegalStateException("layer " + loaded.layer() + " is already resident");
        }
        bases[loaded.layer()] = loaded.weights();
        baseArenas[loaded.layer()] = loaded.arena();
    }

    /** Base weights copied back, waiting for a step boundary to be switched in. */
    public record Loaded(int layer, LayerWeights weights, Arena arena) {}

    private LayerWeights copy(LayerWeights w, Arena arena) {
        return new LayerWeights(w.attnNorm(), copy(w.wq(), arena), copy(w.wk(), arena), copy(w.wv(), arena),
                copy(w.wo(), arena), w.ffnNorm(), copy(w.wGate(), arena), copy(w.wUp(), arena), copy(w.wDown(), arena));
    }

    private Tensor copy(Tensor t, Arena arena) {
        return materialize.apply(t, arena);
    }


    @Override
    public void close() {
        for (int l = 0; l < baseArenas.length; l++) {
            if (baseArenas[l] != null) {
                baseArenas[l].close();
                baseArenas[l] = null;
                bases[l] = null;
            }
        }
    }
}
