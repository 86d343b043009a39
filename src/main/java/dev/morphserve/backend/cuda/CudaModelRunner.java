package dev.morphserve.backend.cuda;

import dev.morphserve.kvcache.KvCache;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorageFactory;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.HiddenStateObserver;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.ModelConfig;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.RopeLayout;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The batched Llama forward pass on the GPU: the same steps as the CPU runner, each a kernel of
 * {@code src/main/cuda} on the engine's stream, with activations, weights and the paged KV cache
 * in device memory. The host writes one metadata transfer per step and reads back only the logits.
 *
 * <pre>
 * x --rms_norm--> mm q,k,v --rope--> kv_store --paged_attention--> mm wo (+= x)
 *   --rms_norm--> mm gate, up --swiglu--> mm down (+= x) ... gather logit rows --rms_norm--> mm output
 * </pre>
 *
 * A layer whose record in the weights table changed since the last step (a morph swap) is copied in
 * at the start of the step, and the replaced variant's device copy is let go.
 */
final class CudaModelRunner implements ModelRunner {
    private final CudaBackend backend;
    private final CudaContext context;
    private final ModelConfig config;
    private final WeightsTable weights;
    private final DeviceLayer[] layers;
    private final ForwardKernels kernels;
    private final Arena arena = Arena.ofShared();
    private final StepMetadata metadata = new StepMetadata();
    private final StepGraphs graphs;
    private final long invFrequency; // [ropeDim / 2]
    private Tensor embedding;
    private Tensor output;
    private long embeddingAddress;
    private long outputAddress;
    private long outputNormAddress;
    private DeviceActivations activations;
    private PinnedBuffer hostStaging; // metadata out, then logits or hidden states back

    CudaModelRunner(CudaBackend backend, ModelConfig config, WeightsTable weights) {
        this.backend = backend;
        this.context = backend.context();
        this.config = config;
        this.weights = weights;
        this.layers = new DeviceLayer[config.numLayers()];
        this.kernels = new ForwardKernels(backend.module(), new Launch(arena), context.stream());
        this.graphs = new StepGraphs(context.stream());
        this.invFrequency = context.allocate(4L * config.ropeDim() / 2, "RoPE frequencies").address();
        float[] frequencies = config.ropeInverseFrequencies();
        MemorySegment f = arena.allocate(ValueLayout.JAVA_FLOAT, frequencies.length);
        MemorySegment.copy(frequencies, 0, f, ValueLayout.JAVA_FLOAT, 0, frequencies.length);
        context.copyToDevice(invFrequency, f);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public WeightsTable weights() {
        return weights;
    }

    @Override
    public LayerWeights prepare(LayerWeights layer) {
        return backend.prepare(layer);
    }

    @Override
    public KvLayout kvLayout(int blockSize) {
        return backend.kvLayout(config, blockSize);
    }

    @Override
    public KvStorageFactory kvStorage() {
        return backend.kvStorage();
    }

    @Override
    public float[] forward(ForwardBatch batch, KvCache cache, HiddenStateObserver observer) {
        batch.requireTokensBelow(config.vocabSize()); // on the device an out-of-range row is a fault that ends the context
        context.makeCurrent();
        int n = batch.numTokens();
        int numLogits = batch.logitIndices().length;
        metadata.plan(batch, cache.blockSize());
        if (syncWeights() | ensureActivations(n, numLogits, metadata.byteSize)) {
            graphs.invalidate();
        }
        DeviceActivations a = activations;
        metadata.write(batch, cache, hostStaging.segment());
        context.copyToDeviceAsync(a.metadata, hostStaging.segment().asSlice(0, metadata.byteSize));
        if (observer == HiddenStateObserver.NONE && n <= WeightKernels.MMV_MAX_TOKENS) {
            graphs.run(n, numLogits, cache.blockSize(), () -> enqueueStep(a, n, numLogits, cache.blockSize(), observer));
        } else {
            enqueueStep(a, n, numLogits, cache.blockSize(), observer);
        }
        if (numLogits == 0) {
            context.synchronize(); // the staging buffer is rewritten by the next step
            return new float[0];
        }
        return copyBack(a.logits, numLogits * config.vocabSize());
    }

    /** Every kernel of one step, on the stream: the same launches each time for the same shape. */
    private void enqueueStep(DeviceActivations a, int n, int numLogits, int blockSize, HiddenStateObserver observer) {
        long tokens = a.metadata + metadata.tokensOffset;
        long positions = a.metadata + metadata.positionsOffset;
        int dim = config.dim();
        int kvDim = config.kvDim();
        int ffn = config.ffnDim();
        boolean neox = config.ropeLayout() == RopeLayout.NEOX;
        float scale = (float) (1.0 / Math.sqrt(config.headSize()));
        kernels.getRows(embedding, embeddingAddress, tokens, a.x, n, dim);
        observe(observer, -1, a, n);
        for (int l = 0; l < layers.length; l++) {
            DeviceLayer w = layers[l];
            LayerWeights host = w.source();
            long layerOffset = (long) l * 2 * blockSize * kvDim * Short.BYTES;
            kernels.rmsNorm(a.x, w.attnNorm(), a.xb, n, dim, config.rmsNormEps());
            kernels.matmul(host.wq(), w.wq(), a.xb, a.q, n, false);
            kernels.matmul(host.wk(), w.wk(), a.xb, a.k, n, false);
            kernels.matmul(host.wv(), w.wv(), a.xb, a.v, n, false);
            if (w.hasBias()) {
                kernels.addBias(a.q, w.bq(), n, dim);
                kernels.addBias(a.k, w.bk(), n, kvDim);
                kernels.addBias(a.v, w.bv(), n, kvDim);
            }
            kernels.rope(a.q, positions, invFrequency, n, config.numHeads(), config.headSize(), config.ropeDim(), neox, dim);
            kernels.rope(a.k, positions, invFrequency, n, config.numKvHeads(), config.headSize(), config.ropeDim(), neox, kvDim);
            kernels.kvStore(a.k, a.v, a.metadata + metadata.slotBlockOffset, a.metadata + metadata.slotRowOffset, n, kvDim,
                    blockSize, layerOffset);
            kernels.attention(a.q, a.attn, positions, a.metadata + metadata.tableStartOffset,
                    a.metadata + metadata.blockBasesOffset, n, config, blockSize, layerOffset, scale);
            kernels.matmul(host.wo(), w.wo(), a.attn, a.x, n, true);
            kernels.rmsNorm(a.x, w.ffnNorm(), a.xb, n, dim, config.rmsNormEps());
            kernels.matmul(host.wGate(), w.wGate(), a.xb, a.gate, n, false);
            kernels.matmul(host.wUp(), w.wUp(), a.xb, a.up, n, false);
            kernels.swiglu(a.gate, a.up, n * ffn);
            kernels.matmul(host.wDown(), w.wDown(), a.gate, a.x, n, true);
            observe(observer, l, a, n);
        }
        if (numLogits > 0) {
            kernels.gatherRows(a.x, a.metadata + metadata.logitRowsOffset, a.selected, numLogits, dim);
            kernels.rmsNorm(a.selected, outputNormAddress, a.xb, numLogits, dim, config.rmsNormEps());
            kernels.matmul(output, outputAddress, a.xb, a.logits, numLogits, false);
        }
    }

    private void observe(HiddenStateObserver observer, int layer, DeviceActivations a, int n) {
        if (observer != HiddenStateObserver.NONE) {
            observer.afterLayer(layer, copyBack(a.x, n * config.dim()), n);
        }
    }

    /** Waits for the stream and returns {@code count} floats from the device. */
    private float[] copyBack(long device, int count) {
        MemorySegment staging = hostStaging.segment().asSlice(0, 4L * count);
        context.copyToHostAsync(staging, device);
        context.synchronize();
        return staging.toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * Copies in layers whose record changed since the last step, and lets the replaced ones go.
     *
     * @return whether any device address changed
     */
    private boolean syncWeights() {
        DeviceWeights device = backend.weights();
        boolean changed = false;
        for (int l = 0; l < layers.length; l++) {
            LayerWeights now = weights.layer(l);
            if (layers[l] == null || layers[l].source() != now) {
                DeviceLayer copied = DeviceLayer.acquire(device, now, l);
                if (layers[l] != null) {
                    layers[l].release(device);
                }
                layers[l] = copied;
                changed = true;
            }
        }
        if (embedding != weights.tokenEmbedding()) {
            embedding = weights.tokenEmbedding();
            embeddingAddress = device.acquire(embedding);
            output = weights.output();
            outputAddress = device.acquire(output);
            outputNormAddress = device.acquire(weights.outputNorm(), "output norm");
            changed = true;
        }
        return changed;
    }

    /** @return whether the activation buffers were (re)allocated */
    private boolean ensureActivations(int n, int numLogits, long metaBytes) {
        if (activations == null || !activations.fits(n, numLogits, metaBytes)) {
            int tokens = Math.max(n, activations == null ? 0 : activations.numTokens);
            int logits = Math.max(numLogits, activations == null ? 0 : activations.numLogits);
            int meta = (int) Math.max(metaBytes * 2, activations == null ? 0 : activations.metadataBytes);
            if (activations != null) {
                context.synchronize();
                activations.close();
                hostStaging.close();
            }
            activations = new DeviceActivations(context, config, tokens, logits, meta);
            long stagingBytes = Math.max(meta, 4L * Math.max((long) logits * config.vocabSize(), (long) tokens * config.dim()));
            hostStaging = PinnedBuffer.allocate(context, stagingBytes);
            return true;
        }
        return false;
    }
}
