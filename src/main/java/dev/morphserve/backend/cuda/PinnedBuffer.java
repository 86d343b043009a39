package dev.morphserve.backend.cuda;

import static dev.morphserve.backend.cuda.Cuda.check;
import static org.lwjgl.cuda.CU.ncuMemFreeHost;
import static org.lwjgl.cuda.CU.ncuMemHostAlloc;

import java.lang.foreign.MemorySegment;
import org.lwjgl.system.MemoryStack;

/**
 * Page-locked host memory ({@code cuMemHostAlloc}) for what is copied every step (step metadata,
 * logits): the DMA engine reads it directly, where pageable memory would be staged first.
 */
final class PinnedBuffer implements AutoCloseable {
    private final MemorySegment segment;

    private PinnedBuffer(MemorySegment segment) {
        this.segment = segment;
    }

    static PinnedBuffer allocate(CudaContext context, long bytes) {
        context.makeCurrent();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var ptr = stack.mallocPointer(1);
            check(ncuMemHostAlloc(ptr.address(), Math.max(1, bytes), 0), "cuMemHostAlloc(" + bytes + " bytes)");
            return new PinnedBuffer(MemorySegment.ofAddress(ptr.get(0)).reinterpret(Math.max(1, bytes)));
        }
    }

    MemorySegment segment() {
        return segment;
    }

    long byteSize() {
        return segment.byteSize();
    }

    @Override
    public void close() {
        check(ncuMemFreeHost(segment.address()), "cuMemFreeHost");
    }
}
