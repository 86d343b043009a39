package dev.morphserve.model;

import dev.morphserve.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One decoder layer's weights: the unit that morphing swaps between precisions. The engine thread
 * replaces a whole record in the {@link WeightsTable} between two steps, so a forward pass always
 * sees one consistent variant of each layer.
 *
 * <pre>
 * attnNorm [dim]            ffnNorm [dim]          (float, small: on heap)
 * wq   [dim    x dim]       wGate [ffnDim x dim]
 * wk   [kvDim  x dim]       wUp   [ffnDim x dim]
 * wv   [kvDim  x dim]       wDown [dim    x ffnDim]
 * wo   [dim    x dim]       (rows x cols; every matmul is out = W * x)
 * bias: q/k/v biases where the architecture has them (qwen2), else {@link AttentionBias#NONE}
 * </pre>
 */
public record LayerWeights(
        float[] attnNorm,
        Tensor wq,
        Tensor wk,
        Tensor wv,
        Tensor wo,
        float[] ffnNorm,
        Tensor wGate,
        Tensor wUp,
        Tensor wDown,
        AttentionBias bias) {

    /** A layer without attention biases (llama). */
    public LayerWeights(float[] attnNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo, float[] ffnNorm, Tensor wGate,
            Tensor wUp, Tensor wDown) {
        this(attnNorm, wq, wk, wv, wo, ffnNorm, wGate, wUp, wDown, AttentionBias.NONE);
    }

    public List<Tensor> matrices() {
        return List.of(wq, wk, wv, wo, wGate, wUp, wDown);
    }

    /** The same layer with every matrix passed through {@code f} (a backend's preparation); norms and biases kept. */
    public LayerWeights mapMatrices(UnaryOperator<Tensor> f) {
        return new LayerWeights(attnNorm, f.apply(wq), f.apply(wk), f.apply(wv), f.apply(wo), ffnNorm, f.apply(wGate),
                f.apply(wUp), f.apply(wDown), bias);
    }

    /** Bytes of the seven matrices (norms are negligible and stay on heap). */
    public long matrixBytes() {
        return matrices().stream().mapToLong(Tensor::byteSize).sum();
    }
}
