package dev.morphserve.backend;

import dev.morphserve.kernel.Kernels;
import dev.morphserve.kernel.ScalarKernels;
import dev.morphserve.kernel.VectorKernels;
import dev.morphserve.kernel.WorkerPool;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorageFactory;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.CpuModelRunner;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelConfig;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The CPU backend ({@link Backend}): a persistent worker pool and the kernels that run on it. The
 * first runner of a model passes every matrix of its weights through {@link Kernels#prepare} once
 * (the vector kernels repack F16 / Q8_0 / Q4_0 / Q4_K / Q6_K off-heap into their own layout); later runners of
 * that model share the prepared table. The token embedding stays as loaded: it is read by row.
 */
public final class CpuBackend implements Backend {
    private final WorkerPool pool;
    private final Kernels kernels;
    private final KvType kvType;
    private final Map<LoadedModel, WeightsTable> prepared = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<LoadedModel, Tensor> preparedOutputs = Collections.synchronizedMap(new WeakHashMap<>());

    private final String note;
    // One thread: swap copies queue behind each other instead of taking cores from decode steps.
    private final ExecutorService copier = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("morphserve-layer-copier").daemon().factory());

    private CpuBackend(WorkerPool pool, Kernels kernels, KvType kvType, String note) {
        this.pool = pool;
        this.kernels = kernels;
        this.kvType = kvType;
        this.note = note;
    }

    /** @param kvType element type of the KV cache of every runner of this backend */
    public static CpuBackend create(int threads, KernelKind kind, KvType kvType) {
        return create(threads, kind, kvType, "");
    }

    /** @param note why the CPU was chosen, for the start-up line (empty when asked for) */
    static CpuBackend create(int threads, KernelKind kind, KvType kvType, String note) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return switch (kind) {
            case VECTOR -> {
                WorkerPool pool = new WorkerPool(threads);
                yield new CpuBackend(pool, new VectorKernels(pool), kvType, note);
            }
            // The reference path stays on one thread: nothing about it should need explaining.
            case SCALAR -> new CpuBackend(new WorkerPool(1), new ScalarKernels(), kvType, note);
        };
    }

    public Kernels kernels() {
        return kernels;
    }

    @Override
    public BackendKind kind() {
        return BackendKind.CPU;
    }

    @Override
    public String description() {
        return "cpu (" + (kernels instanceof ScalarKernels ? "scalar reference kernels" : "vector kernels") + ", "
                + pool.parallelism() + (pool.parallelism() == 1 ? " thread" : " threads") + ", " + kvType + " KV cache"
                + (note.isEmpty() ? "" : "; " + note) + ")";
    }

    @Override
    public ModelRunner runner(LoadedModel model) {
        return new CpuModelRunner(model.config(), preparedTable(model), kernels, pool, kvType);
    }

    /** The model's weights as this backend's kernels read them, prepared once per model. */
    private WeightsTable preparedTable(LoadedModel model) {
        return prepared.computeIfAbsent(model, m -> prepare(m.weights()));
    }

    private WeightsTable prepare(WeightsTable w) {
        LayerWeights[] layers = new LayerWeights[w.numLayers()];
        boolean changed = false;
        for (int i = 0; i < layers.length; i++) {
            layers[i] = prepare(w.layer(i));
            changed |= !layers[i].matrices().equals(w.layer(i).matrices());
        }
        Tensor output = kernels.prepare(w.output());
        if (!changed && output == w.output()) {
            return w;
        }
        return new WeightsTable(w.tokenEmbedding(), w.outputNorm(), output, layers);
    }

    /** A layer's matrices in the layout this backend's kernels read (copies freed when unreachable). */
    @Override
    public LayerWeights prepare(LayerWeights l) {
        return l.mapMatrices(kernels::prepare);
    }

    @Override
    public WeightsTable tableWithLayers(LoadedModel model, LayerWeights[] layers) {
        // Not preparedTable(model): that repacks every layer, a second resident copy of all weights
        // beside the caller's, held as long as the model (outside any memory budget).
        WeightsTable full = prepared.get(model);
        Tensor output = full != null ? full.output()
                : preparedOutputs.computeIfAbsent(model, m -> kernels.prepare(m.weights().output()));
        WeightsTable w = model.weights();
        return new WeightsTable(w.tokenEmbedding(), w.outputNorm(), output, layers);
    }

    /** Models whose whole weights table this backend has prepared (tests). */
    int preparedTables() {
        return prepared.size();
    }

    @Override
    public ModelRunner runner(ModelConfig config, WeightsTable weights) {
        return new CpuModelRunner(config, weights, kernels, pool, kvType);
    }

    @Override
    public LayerUpload upload(LayerWeights hostVariant) {
        return new CpuLayerUpload(hostVariant, this::materialize, copier);
    }

    /** The mmapped file and the quantized variants are already host memory. */
    @Override
    public LayerWeights hostTier(LayerWeights variant) {
        return variant;
    }

    /** Repacked when the kernels repack the matrix, else copied as it is. */
    private Tensor materialize(Tensor source, Arena arena) {
        Tensor prepared = kernels.prepare(source, arena);
        if (prepared != source) {
            return prepared;
        }
        MemorySegment data = arena.allocate(source.byteSize(), 64);
        MemorySegment.copy(source.data(), 0, data, 0, source.byteSize());
        return new Tensor(source.name(), source.type(), source.rows(), source.cols(), data, source.layout());
    }

    @Override
    public KvLayout kvLayout(ModelConfig config, int blockSize) {
        return config.kvLayout(blockSize, kvType);
    }

    @Override
    public KvStorageFactory kvStorage() {
        return KvStorageFactory.HOST;
    }

    @Override
    public void limitMemory(long bytes) {
        // Host memory: the morph account keeps the service within the budget.
    }

    @Override
    public BackendMemory memory() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new BackendMemory("host", os.getTotalMemorySize(), os.getFreeMemorySize());
    }

    @Override
    public void close() {
        copier.shutdownNow();
        pool.close();
    }
}
