package dev.morphserve.morph;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.WeightsTable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Every variant of every decoder layer a swap may copy in, outside the serving budget (the paper's
 * host tier): level 0 is the model's own weights, level i its quantization to {@code levels.type(i)}.
 * On a GPU these are pinned host copies; on the CPU the mmapped file and the quantized arenas.
 *
 * <pre>
 * variants[layer][level]   level 0 = base (model precision), 1..count = PrecisionLevels, highest first
 * </pre>
 */
public final class HostTier implements AutoCloseable {
    private final PrecisionLevels levels;
    private final List<LayerVariants> quantized;
    private final LayerWeights[][] variants;

    private HostTier(PrecisionLevels levels, List<LayerVariants> quantized, LayerWeights[][] variants) {
        this.levels = levels;
        this.quantized = quantized;
        this.variants = variants;
    }

    /**
     * Quantizes every layer of {@code model} to every level and passes each variant through
     * {@code toHostTier} (the backend's: prepare, then pin on a GPU).
     */
    public static HostTier build(WeightsTable model, PrecisionLevels levels, UnaryOperator<LayerWeights> toHostTier) {
        List<LayerVariants> quantized = new ArrayList<>();
        try {
            for (GgmlType type : levels.types()) {
                quantized.add(LayerVariants.quantize(model, type));
            }
            LayerWeights[][] variants = new LayerWeights[model.numLayers()][levels.count() + 1];
            for (int l = 0; l < model.numLayers(); l++) {
                variants[l][0] = toHostTier.apply(model.layer(l));
                for (int level = 1; level <= levels.count(); level++) {
                    variants[l][level] = toHostTier.apply(quantized.get(level - 1).low(l));
                }
            }
            return new HostTier(levels, quantized, variants);
        } catch (RuntimeException e) {
            quantized.forEach(LayerVariants::close);
            throw e;
        }
    }

    public PrecisionLevels levels() {
        return levels;
    }

    public int numLayers() {
        return variants.length;
    }

    /** The lowest level (the most a layer can step down). */
    public int lowestLevel() {
        return levels.count();
    }

    public LayerWeights variant(int layer, int level) {
        return variants[layer][level];
    }

    /** Bytes a layer takes resident at a level (the seven matrices; norms are negligible). */
    public long bytes(int layer, int level) {
        return variants[layer][level].matrixBytes();
    }

    /** The precision of a level, the base's named after its query projection. */
    public GgmlType type(int layer, int level) {
        return level == 0 ? variants[layer][0].wq().type() : levels.type(level);
    }

    /** Bytes held in the host tier by the quantized levels (the base is the model file itself). */
    public long quantizedBytes() {
        long bytes = 0;
        for (LayerWeights[] layer : variants) {
            for (int level = 1; level < layer.length; level++) {
                bytes += layer[level].matrixBytes();
            }
        }
        return bytes;
    }

    /** The largest step-down copy any layer can need: room the budget keeps free so that one can start. */
    public long largestStepDownBytes() {
        long bytes = 0;
        for (int l = 0; l < variants.length; l++) {
            for (int level = 1; level <= levels.count(); level++) {
                bytes = Math.max(bytes, bytes(l, level));
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        quantized.forEach(LayerVariants::close);
    }
}
