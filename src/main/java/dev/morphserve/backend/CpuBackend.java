package dev.morphserve.backend;

import dev.morphserve.kernel.Kernels;
import dev.morphserve.kernel.ScalarKernels;
import dev.morphserve.kernel.VectorKernels;
import dev.morphserve.kernel.WorkerPool;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The CPU backend: a persistent worker pool and the kernels that run on it. The first runner of a
 * model passes every matrix of its weights through {@link Kernels#prepare} once (the vector kernels
 * repack F16 / Q8_0 / Q4_0 off-heap into their own layout); later runners of that model share the
 * prepared table. The token embedding stays as loaded: it is read by row.
 */
public final class CpuBackend implements AutoCloseable {
    private final WorkerPool pool;
    private final Kernels kernels;
    private final Map<LoadedModel, WeightsTable> prepared = Collections.synchronizedMap(new WeakHashMap<>());

    private CpuBackend(WorkerPool pool, Kernels kernels) {
        this.pool = pool;
        this.kernels = kernels;
    }

    public static CpuBackend create(int threads, KernelKind kind) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return switch (kind) {
            case VECTOR -> {
                WorkerPool pool = new WorkerPool(threads);
                yield new CpuBackend(pool, new VectorKernels(pool));
            }
            // The reference path stays on one thread: nothing about it should need explaining.
            case SCALAR -> new CpuBackend(new WorkerPool(1), new ScalarKernels());
        };
    }

    public Kernels kernels() {
        return kernels;
    }

    /** A runner for the model on this backend's kernels (one per engine thread). */
    public ModelRunner runner(LoadedModel model) {
        return new ModelRunner(model.config(), prepared.computeIfAbsent(model, m -> prepare(m.weights())), kernels, pool);
    }

    private WeightsTable prepare(WeightsTable w) {
        LayerWeights[] layers = new LayerWeights[w.numLayers()];
        boolean changed = false;
        for (int i = 0; i < layers.length; i++) {
            LayerWeights l = w.layer(i);
            layers[i] = new LayerWeights(l.attnNorm(), prep(l.wq()), prep(l.wk()), prep(l.wv()), prep(l.wo()),
                    l.ffnNorm(), prep(l.wGate()), prep(l.wUp()), prep(l.wDown()));
            changed |= !layers[i].matrices().equals(l.matrices());
        }
        Tensor output = prep(w.output());
        if (!changed && output == w.output()) {
            return w;
        }
        return new WeightsTable(w.tokenEmbedding(), w.outputNorm(), output, layers);
    }

    private Tensor prep(Tensor t) {
        return kernels.prepare(t);
    }

    /** A runner over a weights table the caller manages (the morph residency's table). */
    public ModelRunner runner(dev.morphserve.model.ModelConfig config, dev.morphserve.model.WeightsTable weights) {
        return new ModelRunner(config, weights, kernels, pool);
    }

    /** A resident copy of a weight matrix in {@code arena}, in the layout this backend's kernels read. */
    public dev.morphserve.tensor.Tensor materialize(dev.morphserve.tensor.Tensor source, java.lang.foreign.Arena arena) {
        return dev.morphserve.morph.LayerResidency.copyInto(source, arena);
    }

    @Override
    public void close() {
        pool.close();
    }
}
