package dev.morphserve.morph;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.tensor.TensorConverter;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * The two variants of every decoder layer: the base one (the GGUF-layout tensors of the model)
 * and a low-precision one quantized here, in memory, into an off-heap arena that this object owns.
 *
 * <p>A matrix whose rows do not split into blocks of the low type (stories260K's ffn_down has
 * 172 columns; Q4_K needs multiples of 256) keeps its source tensor in the low variant: running a layer partly quantized is
 * still correct, and skipping the layer entirely would free less. Norms are shared.
 *
 * <p>Every LayerWeights handed to a runner's table goes through {@link ModelRunner#prepare}, the
 * single seam where a backend may turn GGUF-layout tensors into its own (repacked) layout.
 */
public final class LayerVariants implements AutoCloseable {
    private final GgmlType lowType;
    private final Arena arena;
    private final LayerWeights[] base;
    private final LayerWeights[] low;

    private LayerVariants(GgmlType lowType, Arena arena, LayerWeights[] base, LayerWeights[] low) {
        this.lowType = lowType;
        this.arena = arena;
        this.base = base;
        this.low = low;
    }

    /**
     * Quantizes every layer of {@code source} (the model's own, GGUF-layout weights, never a
     * runner's possibly repacked table) to {@code lowType}.
     */
    public static LayerVariants quantize(WeightsTable source, GgmlType lowType) {
        if (lowType != GgmlType.Q4_0 && lowType != GgmlType.Q8_0 && lowType != GgmlType.Q4_K) {
            throw new IllegalArgumentException("low variant type must be Q4_0, Q4_K or Q8_0, got " + lowType);
        }
        // Shared, not confined: the engine thread reads these while a swap-up copy runs elsewhere.
        Arena arena = Arena.ofShared();
        try {
            int n = source.numLayers();
            LayerWeights[] base = new LayerWeights[n];
            LayerWeights[] low = new LayerWeights[n];
            // Layers quantize independently: start-up of a 7B model on a 16-core GPU host takes seconds, not minutes.
            java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
                base[i] = source.layer(i);
                low[i] = lowVariant(base[i], lowType, arena);
            });
            return new LayerVariants(lowType, arena, base, low);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static LayerWeights lowVariant(LayerWeights w, GgmlType type, Arena arena) {
        return new LayerWeights(w.attnNorm(), lower(w.wq(), type, arena), lower(w.wk(), type, arena),
                lower(w.wv(), type, arena), lower(w.wo(), type, arena), w.ffnNorm(), lower(w.wGate(), type, arena),
                lower(w.wUp(), type, arena), lower(w.wDown(), type, arena), w.bias());
    }

    /** The matrix in {@code type}, or the source itself when it already is that type or cannot be. */
    private static Tensor lower(Tensor src, GgmlType type, Arena arena) {
        if (src.type() == type || !TensorConverter.canConvert(src, type)) {
            return src;
        }
        return TensorConverter.convert(src, type, arena);
    }

    public GgmlType lowType() {
        return lowType;
    }

    public int numLayers() {
        return base.length;
    }

    /** The base variant, GGUF layout (pass it through {@link ModelRunner#prepare} before running it). */
    public LayerWeights base(int layer) {
        return base[layer];
    }

    /** The low variant, GGUF layout (pass it through {@link ModelRunner#prepare} before running it). */
    public LayerWeights low(int layer) {
        return low[layer];
    }

    public LayerBytes bytes(int layer) {
        return new LayerBytes(layer, base[layer].matrixBytes(), low[layer].matrixBytes());
    }

    /** Per-layer memory of both variants, layer 0 first. */
    public List<LayerBytes> bytesReport() {
        List<LayerBytes> report = new ArrayList<>(base.length);
        for (int i = 0; i < base.length; i++) {
            report.add(bytes(i));
        }
        return report;
    }

    /** Releases the low variants' memory; no runner may use them afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
