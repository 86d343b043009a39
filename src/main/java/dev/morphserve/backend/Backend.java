package dev.morphserve.backend;

import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorageFactory;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelConfig;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;

/**
 * Where the model runs: the seam between everything that decides what to compute (engine,
 * scheduler, block tables, sampler, API, morphing) and the code that computes it. {@link CpuBackend}
 * runs the Vector API kernels; {@code cuda.CudaBackend} runs the kernels of {@code src/main/cuda}
 * on an NVIDIA GPU. Callers get one from {@link Backends#create} and never ask which it is.
 */
public interface Backend extends AutoCloseable {

    /** One line for logs: the backend, its device and how it was chosen. */
    String description();

    /** Which backend this is ({@code CPU} or {@code CUDA}, never {@code AUTO}): a name to show, not to branch on. */
    BackendKind kind();

    /** A runner over the model's own weights, prepared once per model (one runner per engine thread). */
    ModelRunner runner(LoadedModel model);

    /** A runner over a weights table whose layers the caller manages (the morph residency's table). */
    ModelRunner runner(ModelConfig config, WeightsTable weights);

    /**
     * A weights table for the model whose decoder layers the caller manages (morphing), with the
     * embedding, norms and output as this backend prepared them.
     */
    WeightsTable tableWithLayers(LoadedModel model, LayerWeights[] layers);

    /** A layer's matrices (GGUF layout) in the form this backend's runners read. */
    LayerWeights prepare(LayerWeights layer);

    /**
     * Starts copying a layer variant from the host tier to where this backend computes, in the form
     * its runners read (a morph swap's copy); decode steps go on meanwhile.
     */
    LayerUpload upload(LayerWeights hostVariant);

    /**
     * The host tier's copy of a layer variant that {@link #upload} copies from: pinned memory on a
     * GPU (asynchronous copies need it), the variant itself on the CPU.
     */
    LayerWeights hostTier(LayerWeights variant);

    /** The layout of this backend's KV cache for the model, with {@code blockSize}-token blocks. */
    KvLayout kvLayout(ModelConfig config, int blockSize);

    /** Allocates KV chunks where this backend's attention reads them. */
    KvStorageFactory kvStorage();

    /**
     * Refuses allocations that would take this process past {@code bytes} where the model runs (the
     * serving budget), so that a large device can stand in for a smaller one. The CPU backend leaves
     * the cap to the morph memory account.
     */
    void limitMemory(long bytes);

    /** The memory this backend computes from, as it reports it now. */
    BackendMemory memory();

    @Override
    void close();
}
