package dev.morphserve.morph;

/**
 * How eagerly the controller trades layer precision for KV capacity. The caps are on the decoder
 * layers below base and on how far down each may step; the hysteresis factor scales how long
 * pressure must last before the controller acts.
 */
public enum MorphMode {
    /** Never morph: full precision, fixed KV cache; manual swaps are refused too. */
    OFF(0, 0, 0),
    /** A quarter of the layers, one level down only, after pressure lasted twice the window. */
    ACCURACY(0.25, 1, 2),
    /** Half of the layers, every level, after the window. */
    BALANCED(0.5, Integer.MAX_VALUE, 1),
    /** Every layer, every level, after half the window. */
    PERFORMANCE(1, Integer.MAX_VALUE, 0.5),
    /** The controller stands still; layers move only when asked ({@code POST /v1/morph}). */
    MANUAL(1, Integer.MAX_VALUE, 0);

    private final double layerShare;
    private final int maxLevel;
    private final double hysteresisFactor;

    MorphMode(double layerShare, int maxLevel, double hysteresisFactor) {
        this.layerShare = layerShare;
        this.maxLevel = maxLevel;
        this.hysteresisFactor = hysteresisFactor;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The most layers this mode lets the controller take below base. */
    public int maxSwappedLayers(int numLayers) {
        return this == OFF ? 0 : Math.max(1, (int) Math.floor(layerShare * numLayers));
    }

    /** The lowest level (1 = the first below base) this mode lets a layer reach, of {@code numLevels}. */
    public int maxLevel(int numLevels) {
        return Math.min(maxLevel, numLevels);
    }

    /** How long pressure must last in this mode, given the configured window. */
    public long hysteresisNanos(long windowNanos) {
        return (long) (hysteresisFactor * windowNanos);
    }
}
