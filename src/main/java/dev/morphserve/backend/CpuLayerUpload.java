package dev.morphserve.backend;

import dev.morphserve.model.LayerWeights;
import dev.morphserve.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * A layer variant copied into a private off-heap arena on a copier thread: on the CPU the "device"
 * is the process's own budgeted memory, and the host tier is the mmapped file plus the quantized
 * variants. The arena is shared: the engine thread reads it while the copier may still be writing
 * a later one.
 */
final class CpuLayerUpload implements LayerUpload {
    private final Arena arena = Arena.ofShared();
    private final long bytes;
    private final CompletableFuture<LayerWeights> copy;
    private volatile long copyNanos;

    CpuLayerUpload(LayerWeights source, BiFunction<Tensor, Arena, Tensor> materialize, Executor copier) {
        this.bytes = source.matrixBytes();
        this.copy = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            LayerWeights copied = source.mapMatrices(t -> materialize.apply(t, arena));
            copyNanos = System.nanoTime() - start;
            return copied;
        }, copier);
    }

    @Override
    public boolean isDone() {
        return copy.isDone();
    }

    @Override
    public LayerWeights weights() {
        if (!copy.isDone()) {
            throw new IllegalStateException("the layer copy has not finished");
        }
        try {
            return copy.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("copying the layer variant failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public long copyNanos() {
        return copyNanos;
    }

    @Override
    public void close() {
        // Freed once the copier is done with it: closing a shared arena under a running copy would fail the copy midway.
        copy.whenComplete((weights, failure) -> arena.close());
    }
}
