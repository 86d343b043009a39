package dev.morphserve.morph;

/** How eagerly the controller trades layer precision for KV capacity. */
public enum MorphMode {
    /** Never morph: full precision, fixed KV cache. */
    OFF,
    /** At most a quarter of the layers, and only after pressure has lasted a while. */
    ACCURACY,
    /** Any number of layers, acting soon after pressure appears. */
    PERFORMANCE,
    /**
     * The controller stands still and layers move only when asked ({@code POST /v1/morph}): static
     * low precision is this mode with every layer swapped down.
     */
    MANUAL;

    /** The most layers this mode lets the controller swap. */
    public int maxSwappedLayers(int numLayers) {
        return switch (this) {
            case OFF -> 0;
            case ACCURACY -> Math.max(1, numLayers / 4);
            case PERFORMANCE, MANUAL -> numLayers;
        };
    }
}
