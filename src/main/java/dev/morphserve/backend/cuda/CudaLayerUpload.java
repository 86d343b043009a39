package dev.morphserve.backend.cuda;

import dev.morphserve.backend.LayerUpload;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer variant copied from pinned host memory to fresh device buffers on the context's copy
 * stream, while the engine stream goes on with decode steps. Between two events on that stream:
 * done when the second is reached, and their distance is the copy time. Once done, the buffers
 * become the device copies of the variant's tensors (by identity), so a runner whose table is
 * switched to the variant finds them resident; this upload keeps one reference until closed.
 *
 * <pre>
 * copy stream:   [begin] HtoD wq | HtoD wk | ... | HtoD w_down [end]
 * engine stream: step n | step n+1 | ... | (boundary after end reached) table[l] = variant | step ...
 * </pre>
 */
final class CudaLayerUpload implements LayerUpload {
    private final CudaContext context;
    private final DeviceWeights weights;
    private final LayerWeights variant;
    private final List<Tensor> copied = new ArrayList<>(); // tensors with a buffer of this upload
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private final List<Tensor> shared = new ArrayList<>(); // already resident: a reference taken, nothing copied
    private final long begin;
    private final long end;
    private boolean done;
    private boolean closed;
    private long copyNanos;

    CudaLayerUpload(CudaContext context, DeviceWeights weights, LayerWeights variant) {
        this.context = context;
        this.weights = weights;
        this.variant = variant;
        this.begin = context.recordOnCopyStream();
        try {
            for (Tensor t : variant.matrices()) {
                if (weights.retainIfResident(t)) {
                    shared.add(t);
                    continue;
                }
                DeviceBuffer buffer = context.allocate(t.byteSize(), "a layer swap (" + t.name() + ")");
                buffers.add(buffer);
                copied.add(t);
                context.copyToDeviceOnCopyStream(buffer.address(), t.data());
            }
        } catch (RuntimeException e) {
            release();
            context.destroyEvent(begin);
            throw e;
        }
        this.end = context.recordOnCopyStream();
    }

    @Override
    public synchronized boolean isDone() {
        if (!done && !closed && context.reached(end)) {
            copyNanos = (long) (context.elapsedMillis(begin, end) * 1e6);
            for (int i = 0; i < copied.size(); i++) {
                weights.adopt(copied.get(i), buffers.get(i));
            }
            done = true;
        }
        return done;
    }

    @Override
    public LayerWeights weights() {
        if (!isDone()) {
            throw new IllegalStateException("the layer copy has not finished");
        }
        return variant;
    }

    @Override
    public long bytes() {
        return variant.matrixBytes();
    }

    @Override
    public synchronized long copyNanos() {
        return copyNanos;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.waitFor(end); // the copy engine may still be writing into the buffers
        release();
        context.destroyEvent(begin);
        context.destroyEvent(end);
    }

    private void release() {
        shared.forEach(weights::release);
        if (done) {
            copied.forEach(weights::release);
        } else {
            buffers.forEach(context::free);
        }
    }
}
