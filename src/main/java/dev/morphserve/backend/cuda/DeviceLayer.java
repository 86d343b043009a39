package dev.morphserve.backend.cuda;

import dev.morphserve.model.AttentionBias;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.tensor.Tensor;

/**
 * One decoder layer as the device holds it: the host record it mirrors and the device address of
 * each of its matrices, norms and (qwen2) Q/K/V biases; a bias address is 0 when the layer has none.
 */
record DeviceLayer(LayerWeights source, long attnNorm, long wq, long wk, long wv, long wo, long ffnNorm, long wGate, long wUp,
        long wDown, long bq, long bk, long bv) {

    /** Copies the layer in (each tensor once per backend, shared by reference). */
    static DeviceLayer acquire(DeviceWeights weights, LayerWeights l, int index) {
        String name = "layer " + index;
        long[] bias = switch (l.bias()) {
            case AttentionBias.None none -> new long[3];
            case AttentionBias.Qkv b -> new long[] {weights.acquire(b.q(), name + " Q bias"),
                weights.acquire(b.k(), name + " K bias"), weights.acquire(b.v(), name + " V bias")};
        };
        return new DeviceLayer(l, weights.acquire(l.attnNorm(), name + " attention norm"), weights.acquire(l.wq()),
                weights.acquire(l.wk()), weights.acquire(l.wv()), weights.acquire(l.wo()),
                weights.acquire(l.ffnNorm(), name + " FFN norm"), weights.acquire(l.wGate()), weights.acquire(l.wUp()),
                weights.acquire(l.wDown()), bias[0], bias[1], bias[2]);
    }

    boolean hasBias() {
        return bq != 0;
    }

    /** Lets go of every tensor of the layer (freed on the device when no other table holds it). */
    void release(DeviceWeights weights) {
        weights.release(source.attnNorm());
        weights.release(source.ffnNorm());
        if (source.bias() instanceof AttentionBias.Qkv b) {
            weights.release(b.q());
            weights.release(b.k());
            weights.release(b.v());
        }
        for (Tensor t : source.matrices()) {
            weights.release(t);
        }
    }
}
