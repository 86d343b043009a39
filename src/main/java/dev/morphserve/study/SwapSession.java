package dev.morphserve.study;

import dev.morphserve.morph.LayerVariants;

import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * Switches layers of one runner's table between base and low variants for offline evaluation
 * (profiling, perplexity), and puts the runner's own layers back on close. The model's weights
 * table is never touched: only {@code runner.weights()}.
 *
 * <p>Low variants are prepared for the runner ({@link ModelRunner#prepare}) once per layer and
 * kept, because profiling switches the same layers hundreds of times.
 */
public final class SwapSession implements AutoCloseable {
    private final ModelRunner runner;
    private final LayerVariants variants;
    private final LayerWeights[] original; // the runner's table entries when the session opened
    private final LayerWeights[] preparedLow; // lazily filled, runner.prepare(variants.low(i))
    private final BitSet swapped = new BitSet();

    public SwapSession(ModelRunner runner, LayerVariants variants) {
        WeightsTable table = runner.weights();
        if (table.numLayers() != variants.numLayers()) {
            throw new IllegalArgumentException("runner has " + table.numLayers() + " layers but the variants "
                    + variants.numLayers());
        }
        this.runner = runner;
        this.variants = variants;
        this.original = new LayerWeights[table.numLayers()];
        this.preparedLow = new LayerWeights[table.numLayers()];
        for (int i = 0; i < original.length; i++) {
            original[i] = table.layer(i);
        }
    }

    /** Makes exactly {@code layers} run on their low variant and every other layer on its base. */
    public void swapExactly(Collection<Integer> layers) {
        BitSet wanted = new BitSet();
        for (int layer : layers) {
            if (layer < 0 || layer >= original.length) {
                throw new IllegalArgumentException("layer " + layer + " does not exist (model has " + original.length
                        + " layers: 0.." + (original.length - 1) + ")");
            }
            wanted.set(layer);
        }
        WeightsTable table = runner.weights();
        for (int i = 0; i < original.length; i++) {
            if (wanted.get(i) != swapped.get(i)) {
                table.replaceLayer(i, wanted.get(i) ? low(i) : original[i]);
            }
        }
        swapped.clear();
        swapped.or(wanted);
    }

    /** The layers now on their low variant, ascending. */
    public List<Integer> swappedLayers() {
        List<Integer> layers = new ArrayList<>();
        swapped.stream().forEach(layers::add);
        return layers;
    }

    private LayerWeights low(int layer) {
        if (preparedLow[layer] == null) {
            preparedLow[layer] = runner.prepare(variants.low(layer));
        }
        return preparedLow[layer];
    }

    /** Restores every layer the session changed. */
    @Override
    public void close() {
        swapExactly(List.of());
    }
}
