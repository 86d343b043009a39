package dev.morphserve.cli;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.morph.SwapOrder;
import dev.morphserve.study.SwapOrderKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options that run a model with some decoder layers on their low-precision variant. */
final class SwapOptions {
    @Option(names = "--swap-layers", split = ",", paramLabel = "LAYER",
            description = "Run these layers (comma-separated indices) in low precision.")
    List<Integer> swapLayers;

    @Option(names = "--swap-order", paramLabel = "ORDER",
            description = "Pick --swap-count layers in this order: ${COMPLETION-CANDIDATES}"
                    + " (lis reads <model>.morph-profile.json, front-to-back when there is none; default lis).")
    SwapOrderKind swapOrder;

    @Option(names = "--swap-count", paramLabel = "K", description = "How many layers --swap-order swaps.")
    Integer swapCount;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of --swap-order random (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--low-type", defaultValue = "Q4_0",
            description = "Type of the low-precision variant: Q4_0, Q4_K or Q8_0 (default ${DEFAULT-VALUE}).")
    GgmlType lowType;

    /** The layers to swap and where the choice came from; empty when no swap option was given. */
    record Selection(List<Integer> layers, String source) {}

    Optional<Selection> select(Path modelPath, int numLayers) throws IOException {
        if (swapLayers != null && (swapOrder != null || swapCount != null)) {
            throw new IllegalArgumentException("--swap-layers cannot be combined with --swap-order/--swap-count");
        }
        if (swapLayers != null) {
            for (int layer : swapLayers) {
                if (layer < 0 || layer >= numLayers) {
                    throw new IllegalArgumentException("--swap-layers: layer " + layer + " does not exist (model has "
                            + numLayers + " layers: 0.." + (numLayers - 1) + ")");
                }
            }
            return Optional.of(new Selection(swapLayers.stream().distinct().sorted().toList(), "--swap-layers"));
        }
        if (swapOrder == null && swapCount == null) {
            return Optional.empty();
        }
        if (swapCount == null) {
            throw new IllegalArgumentException("--swap-order needs --swap-count K");
        }
        if (swapCount < 0 || swapCount > numLayers) {
            throw new IllegalArgumentException("--swap-count must be 0.." + numLayers + ", got " + swapCount);
        }
        SwapOrder order = (swapOrder != null ? swapOrder : SwapOrderKind.LIS).order(modelPath, numLayers, seed);
        return Optional.of(new Selection(order.first(swapCount), order.source()));
    }
}
