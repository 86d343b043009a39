package dev.morphserve.backend;

import dev.morphserve.kernel.Kernels;
import dev.morphserve.kernel.ScalarKernels;
import dev.morphserve.kernel.VectorKernels;
import dev.morphserve.kernel.WorkerPool;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;

/**
 * The CPU backend: a persistent worker pool and the kernels that run on it. Weights stay where the
 * loader put them (the mmapped file); this backend adds no copies.
 */
public final class CpuBackend implements AutoCloseable {
    private final WorkerPool pool;
    private final Kernels kernels;

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
        return new ModelRunner(model.config(), model.weights(), kernels, pool);
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
