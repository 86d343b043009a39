package dev.morphserve.model;

/** Sees the residual stream between layers during a forward pass (profiling, never serving). */
@FunctionalInterface
public interface HiddenStateObserver {
    HiddenStateObserver NONE = (layer, hidden, numTokens) -> {};

    /**
     * @param layer     the layer just run, or -1 for the embeddings before the first layer
     * @param hidden    [numTokens x dim] residual stream; valid only during the call (copy what you keep)
     */
    void afterLayer(int layer, float[] hidden, int numTokens);
}
