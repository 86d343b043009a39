package dev.morphserve.model;

import dev.morphserve.kvcache.KvCache;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorageFactory;
import dev.morphserve.kvcache.SequenceKv;

/**
 * The batched forward pass of one model on one backend: everything above it (engine, scheduler,
 * sampler, morphing, the command line) runs a model through this and never learns which backend
 * computes it. One runner per engine thread: runners keep scratch between steps.
 *
 * <p>A runner reads the weights through its {@link #weights() table}, whose layer slots morphing
 * replaces between steps, and keeps keys and values in a KV cache whose chunks its
 * {@link #kvStorage() storage} allocates (host memory on the CPU, device memory on a GPU).
 */
public interface ModelRunner {

    ModelConfig config();

    /** The weights table this runner reads (the engine thread may replace its layers between steps). */
    WeightsTable weights();

    /** Runs one step; returns logits [logitIndices.length x vocab], row i for batch.logitIndices()[i]. */
    default float[] forward(ForwardBatch batch, KvCache cache) {
        return forward(batch, cache, HiddenStateObserver.NONE);
    }

    /**
     * Runs one step and shows {@code observer} the residual stream [numTokens x dim] before the
     * first layer and after every layer (layer importance profiling reads hidden states this way).
     */
    float[] forward(ForwardBatch batch, KvCache cache, HiddenStateObserver observer);

    /**
     * A layer's weights (GGUF layout) in the form this runner's table must hold: repacked for the
     * CPU kernels, as they are for a backend that copies them to its device when it first runs them.
     */
    LayerWeights prepare(LayerWeights layer);

    /** The layout of this runner's KV cache for {@code blockSize}-token blocks. */
    KvLayout kvLayout(int blockSize);

    /** Where this runner's KV chunks must live. */
    KvStorageFactory kvStorage();

    /** A private KV cache for one sequence of up to {@code maxTokens} tokens, on this runner's backend. */
    default SequenceKv sequenceKv(int maxTokens) {
        return new SequenceKv(kvLayout(16), maxTokens, kvStorage());
    }
}
