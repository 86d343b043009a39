package dev.morphserve.backend.cuda;

import dev.morphserve.model.LayerWeights;
import dev.morphserve.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host tier of morphing on a GPU: every layer variant a swap may copy in, held in page-locked
 * memory, because only from there does {@code cuMemcpyHtoDAsync} run asynchronously at the link's
 * speed (from pageable memory the driver stages it through a bounce buffer first). Lives as long
 * as the backend; not part of the device budget.
 */
final class PinnedHostTier implements AutoCloseable {
    private final CudaContext context;
    private final Map<Tensor, Tensor> pinned = new IdentityHashMap<>();
    private final List<PinnedBuffer> buffers = new ArrayList<>();
    private long bytes;

    PinnedHostTier(CudaContext context) {
        this.context = context;
    }

    /** The variant with every matrix in pinned memory (a tensor pinned once, however often asked). */
    synchronized LayerWeights pin(LayerWeights variant) {
        return variant.mapMatrices(this::pin);
    }

    private Tensor pin(Tensor t) {
        return pinned.computeIfAbsent(t, source -> {
            PinnedBuffer buffer = PinnedBuffer.allocate(context, source.byteSize());
            buffers.add(buffer);
            bytes += source.byteSize();
            MemorySegment.copy(source.data(), 0, buffer.segment(), 0, source.byteSize());
            return new Tensor(source.name(), source.type(), source.rows(), source.cols(), buffer.segment(), source.layout());
        });
    }

    /** Page-locked bytes held. */
    synchronized long bytes() {
        return bytes;
    }

    @Override
    public synchronized void close() {
        buffers.forEach(PinnedBuffer::close);
        buffers.clear();
        pinned.clear();
    }
}
