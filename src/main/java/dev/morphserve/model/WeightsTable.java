package dev.morphserve.model;

import dev.morphserve.tensor.Tensor;

/**
 * The model's weights, reached by the forward pass through one table whose layer slots the
 * engine thread may replace between steps (morphing). Not thread-safe by design: one owner.
 *
 * <pre>
 * tokenEmbedding [vocab x dim]   outputNorm [dim]   output [vocab x dim] (== tokenEmbedding when tied)
 * layers[numLayers]              one LayerWeights record each
 * </pre>
 */
public final class WeightsTable {
    private final Tensor tokenEmbedding;
    private final float[] outputNorm;
    private final Tensor output;
    private final LayerWeights[] layers;

    public WeightsTable(Tensor tokenEmbedding, float[] outputNorm, Tensor output, LayerWeights[] layers) {
        this.tokenEmbedding = tokenEmbedding;
        this.outputNorm = outputNorm;
        this.output = output;
        this.layers = layers.clone();
    }

    public Tensor tokenEmbedding() {
        return tokenEmbedding;
    }

    public float[] outputNorm() {
        return outputNorm;
    }

    public Tensor output() {
        return output;
    }

    public int numLayers() {
        return layers.length;
    }

    public LayerWeights layer(int index) {
        return layers[index];
    }

    /** Swaps one layer's variant; call only between two forward passes, from the engine thread. */
    public void replaceLayer(int index, LayerWeights weights) {
        layers[index] = weights;
    }

    /** Bytes of every matrix the forward pass reads per token (decode's memory traffic). */
    public long bytesReadPerToken() {
        long bytes = output.byteSize();
        for (LayerWeights layer : layers) {
            bytes += layer.matrixBytes();
        }
        return bytes;
    }
}
