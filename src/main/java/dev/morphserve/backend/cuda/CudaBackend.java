package dev.morphserve.backend.cuda;

import dev.morphserve.backend.Backend;
import dev.morphserve.backend.BackendKind;
import dev.morphserve.backend.BackendMemory;
import dev.morphserve.backend.LayerUpload;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorageFactory;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelConfig;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;

/**
 * The CUDA backend ({@link Backend}): one context and stream on device 0, the kernels of
 * {@code src/main/cuda} loaded from the jar, weights and the paged KV cache (F16) in device memory.
 * Weights stay in GGUF layout on the host; a runner copies a layer to the device when its table
 * first holds it, and every runner of the backend shares the device copies.
 */
public final class CudaBackend implements Backend {
    private final CudaContext context;
    private final CudaModule module;
    private final DeviceWeights weights;
    private final PinnedHostTier hostTier;

    private CudaBackend(CudaContext context, CudaModule module) {
        this.context = context;
        this.module = module;
        this.weights = new DeviceWeights(context);
        this.hostTier = new PinnedHostTier(context);
    }

    /**
     * Opens device 0. Fails with one sentence: an {@link IllegalArgumentException} when the KV cache
     * is asked for in another type than F16 (the kernels read F16 only), a
     * {@link CudaUnavailableException} when this jar has no kernels or the machine no usable GPU.
     */
    public static CudaBackend open(KvType kvType) {
        if (kvType != KvType.F16) {
            throw new IllegalArgumentException("the CUDA backend stores the KV cache in F16 only, not " + kvType
                    + ": use morphserve.kv-type=F16 (--kv-type f16), or --backend cpu for an " + kvType + " cache");
        }
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.available()) {
            throw new CudaUnavailableException("the CUDA backend needs an NVIDIA GPU, and " + probe.reason() + ": use --backend cpu");
        }
        KernelImage image = KernelImage.packaged().orElseThrow(() -> new CudaUnavailableException(
                "this build has no CUDA kernels (nvcc was not on the PATH when it was built): rebuild with the CUDA toolkit or use --backend cpu"));
        CudaContext context = CudaContext.open(0);
        if (context.computeCapability() < KernelImage.MIN_COMPUTE_CAPABILITY) {
            String name = context.name();
            int cc = context.computeCapability();
            context.close();
            throw new CudaUnavailableException(String.format("%s has compute capability %d.%d and the kernels need %d.%d or newer: use --backend cpu",
                    name, cc / 10, cc % 10, KernelImage.MIN_COMPUTE_CAPABILITY / 10, KernelImage.MIN_COMPUTE_CAPABILITY % 10));
        }
        try {
            return new CudaBackend(context, CudaModule.load(context, image));
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    CudaContext context() {
        return context;
    }

    CudaModule module() {
        return module;
    }

    DeviceWeights weights() {
        return weights;
    }

    @Override
    public BackendKind kind() {
        return BackendKind.CUDA;
    }

    @Override
    public String description() {
        BackendMemory m = memory();
        return String.format("cuda (%s, compute capability %d.%d, kernels from %s in %.1f ms, %.1f GB free of %.1f GB)", context.name(),
                context.computeCapability() / 10, context.computeCapability() % 10, module.loadedFrom(), module.loadMillis(),
                m.freeBytes() / 1e9, m.totalBytes() / 1e9);
    }

    @Override
    public ModelRunner runner(LoadedModel model) {
        return new CudaModelRunner(this, model.config(), model.weights());
    }

    @Override
    public ModelRunner runner(ModelConfig config, WeightsTable table) {
        return new CudaModelRunner(this, config, table);
    }

    @Override
    public WeightsTable tableWithLayers(LoadedModel model, LayerWeights[] layers) {
        WeightsTable w = model.weights();
        return new WeightsTable(w.tokenEmbedding(), w.outputNorm(), w.output(), layers);
    }

    /** Checked here, so an unsupported type fails when the layer is prepared, not in a step. */
    @Override
    public LayerWeights prepare(LayerWeights layer) {
        layer.matrices().forEach(WeightKernels::of);
        return layer;
    }

    @Override
    public LayerUpload upload(LayerWeights hostVariant) {
        prepare(hostVariant);
        return new CudaLayerUpload(context, weights, hostVariant);
    }

    @Override
    public LayerWeights hostTier(LayerWeights variant) {
        prepare(variant);
        return hostTier.pin(variant);
    }

    @Override
    public KvLayout kvLayout(ModelConfig config, int blockSize) {
        return config.kvLayout(blockSize, KvType.F16);
    }

    @Override
    public KvStorageFactory kvStorage() {
        return (layout, numBlocks) -> new CudaKvStorage(context, layout, numBlocks);
    }

    @Override
    public void limitMemory(long bytes) {
        context.limitTo(bytes);
    }

    @Override
    public BackendMemory memory() {
        return context.memory();
    }

    /**
     * Device-to-device copy bandwidth in bytes per second (read plus write of {@code bytes}, the
     * best of five): the roof that decode, which streams every weight once a token, sits under.
     */
    public double copyBandwidth(long bytes) {
        DeviceBuffer from = context.allocate(bytes, "the copy-bandwidth probe");
        DeviceBuffer to = context.allocate(bytes, "the copy-bandwidth probe");
        try {
            float best = Float.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                best = Math.min(best, context.timeMillis(() -> context.copyDeviceToDeviceAsync(to.address(), from.address(), bytes)));
            }
            return 2.0 * bytes / (best / 1e3);
        } finally {
            context.free(from);
            context.free(to);
        }
    }

    /** Weight bytes now resident on the device. */
    public long residentWeightBytes() {
        return weights.residentBytes();
    }

    @Override
    public void close() {
        context.makeCurrent();
        hostTier.close();
        module.close();
        context.close();
    }
}
