package dev.morphserve.study;

import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.SwapOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The swap orders that tools compare: the measured LIS order and the naive baselines. */
public enum SwapOrderKind {
    /** Greedy LIS order from the profile beside the model (front-to-back when none exists). */
    LIS,
    /** Layer 0 first. */
    FRONT,
    /** Last layer first. */
    BACK,
    /** A seeded shuffle. */
    RANDOM;

    /**
     * @param modelPath where to look for the profile (LIS only)
     * @param seed      shuffle seed (RANDOM only)
     */
    public SwapOrder order(Path modelPath, int numLayers, long seed) throws IOException {
        return switch (this) {
            case LIS -> LayerProfile.loadOrDefault(modelPath, numLayers);
            case FRONT -> new SwapOrder(range(numLayers), false, "front-to-back");
            case BACK -> new SwapOrder(range(numLayers).reversed(), false, "back-to-front");
            case RANDOM -> new SwapOrder(shuffled(numLayers, seed), false, "random (seed " + seed + ")");
        };
    }

    /** A seeded permutation of 0..numLayers-1, the same on every JVM (java.util.Random is specified). */
    public static List<Integer> shuffled(int numLayers, long seed) {
        List<Integer> layers = range(numLayers);
        Collections.shuffle(layers, new Random(seed));
        return layers;
    }

    static List<Integer> range(int numLayers) {
        List<Integer> layers = new ArrayList<>(numLayers);
        for (int i = 0; i < numLayers; i++) {
            layers.add(i);
        }
        return layers;
    }
}
