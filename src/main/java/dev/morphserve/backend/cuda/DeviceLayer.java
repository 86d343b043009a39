package dev.morphserve.backend.cuda;

import dev.morphserve.model.LayerWeights;
import dev.morphserve.tensor.Tensor;

/**
 * One decoder layer as the device holds it: the host record it mirrors and the device address of
 * each of its matrices and norms.
 */
record DeviceLayer(LayerWeights source, long attnNorm, long wq, long wk, long wv, long wo, long ffnNorm, long wGate, long wUp,
        long wDown) {

    /** Copies the layer in (each tensor once per backend, shared by reference). */
    static DeviceLayer acquire(DeviceWeights weights, LayerWeights l, int index) {
        String name = "layer " + index;
        return new DeviceLayer(l, weights.acquire(l.attnNorm(), name + " attention norm"), weights.acquire(l.wq()),
                weights.acquire(l.wk()), weights.acquire(l.wv()), weights.acquire(l.wo()),
                weights.acquire(l.ffnNorm(), name + " FFN norm"), weights.acquire(l.wGate()), weights.acquire(l.wUp()),
                weights.acquire(l.wDown()));
    }

    /** Lets go of every tensor of the layer (freed on the device when no other table holds it). */
    void release(DeviceWeights weights) {
        weights.release(source.attnNorm());
        weights.release(source.ffnNorm());
        for (Tensor t : source.matrices()) {
            weights.release(t);
        }
    }
}
