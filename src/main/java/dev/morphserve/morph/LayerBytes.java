package dev.morphserve.morph;

/**
 * Memory of one decoder layer's seven matrices in each variant: what swapping it down frees for
 * the KV cache (norms are a few KB on heap and never move, so they are not counted).
 *
 * @param baseBytes bytes of the base variant (the model's own precision)
 * @param lowBytes  bytes of the low variant (matrices that could not be quantized count at base size)
 */
public record LayerBytes(int layer, long baseBytes, long lowBytes) {
    /** Bytes released when the layer runs on its low variant; never negative. */
    public long freedBytes() {
        return Math.max(0, baseBytes - lowBytes);
    }
}
