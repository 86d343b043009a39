package dev.morphserve.backend.cuda;

import static dev.morphserve.backend.cuda.Cuda.check;
import static org.lwjgl.cuda.CU.*;

import dev.morphserve.backend.BackendMemory;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * One device's primary context and the engine's stream on it. Driver contexts are current per
 * thread, and the engine, warm-up and morph threads all come here: every entry point makes the
 * context current first. Allocation is checked against what the device has free before it is
 * asked for, so that a model that does not fit fails with the sizes in the message.
 */
final class CudaContext implements AutoCloseable {
    private final int device;
    private final long context;
    private final long stream;
    private final long copyStream; // morph swaps' host-to-device copies, beside the engine's steps
    private final String name;
    private final int computeCapability; // major * 10 + minor
    private long allocatedBytes;
    private long limitBytes = Long.MAX_VALUE;

    private CudaContext(int device, long context, long stream, long copyStream, String name, int computeCapability) {
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.copyStream = copyStream;
        this.name = name;
        this.computeCapability = computeCapability;
    }

    static CudaContext open(int ordinal) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer dev = stack.mallocInt(1);
            check(cuDeviceGet(dev, ordinal), "cuDeviceGet(" + ordinal + ")");
            int device = dev.get(0);
            PointerBuffer ctx = stack.mallocPointer(1);
            check(cuDevicePrimaryCtxRetain(ctx, device), "cuDevicePrimaryCtxRetain");
            long context = ctx.get(0);
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            PointerBuffer s = stack.mallocPointer(1);
            check(cuStreamCreate(s, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            PointerBuffer copies = stack.mallocPointer(1);
            check(cuStreamCreate(copies, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            ByteBuffer nameBytes = stack.malloc(256);
            check(cuDeviceGetName(nameBytes, device), "cuDeviceGetName");
            IntBuffer major = stack.mallocInt(1);
            IntBuffer minor = stack.mallocInt(1);
            check(cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute");
            check(cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), "cuDeviceGetAttribute");
            return new CudaContext(device, context, s.get(0), copies.get(0), cString(nameBytes), major.get(0) * 10 + minor.get(0));
        }
    }

    private static String cString(ByteBuffer bytes) {
        int end = 0;
        while (end < bytes.capacity() && bytes.get(end) != 0) {
            end++;
        }
        byte[] out = new byte[end];
        bytes.get(0, out);
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Makes this context current on the calling thread. */
    void makeCurrent() {
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    long stream() {
        return stream;
    }

    String name() {
        return name;
    }

    int computeCapability() {
        return computeCapability;
    }

    /** Device memory, never more than the device has free: a clear refusal names both sizes and {@code what}. */
    synchronized DeviceBuffer allocate(long bytes, String what) {
        makeCurrent();
        if (allocatedBytes + bytes > limitBytes) {
            throw new CudaException(String.format("cannot allocate %.1f MB on %s for %s: this server holds %.1f MB and"
                    + " morphserve.memory.budget allows %.1f MB; raise the budget or lower the KV cache it asks for",
                    bytes / 1e6, name, what, allocatedBytes / 1e6, limitBytes / 1e6), Cuda.CUDA_ERROR_OUT_OF_MEMORY);
        }
        BackendMemory memory = memory();
        if (bytes > memory.freeBytes()) {
            throw new CudaException(String.format("cannot allocate %.1f MB on %s for %s: %.1f MB free of %.1f MB",
                    bytes / 1e6, name, what, memory.freeBytes() / 1e6, memory.totalBytes() / 1e6), Cuda.CUDA_ERROR_OUT_OF_MEMORY);
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer ptr = stack.mallocPointer(1);
            int result = cuMemAlloc(ptr, Math.max(1, bytes));
            if (result != CUDA_SUCCESS) {
                throw new CudaException(String.format("cuMemAlloc of %.1f MB on %s for %s failed: %s (%.1f MB free of %.1f MB)",
                        bytes / 1e6, name, what, Cuda.describe(result), memory.freeBytes() / 1e6, memory.totalBytes() / 1e6), result);
            }
            allocatedBytes += bytes;
            return new DeviceBuffer(ptr.get(0), bytes);
        }
    }

    synchronized void free(DeviceBuffer buffer) {
        makeCurrent();
        check(cuMemFree(buffer.address()), "cuMemFree");
        allocatedBytes -= buffer.bytes();
    }

    /** Caps this process's plain allocations (the serving budget). */
    synchronized void limitTo(long bytes) {
        limitBytes = bytes;
    }

    /** Bytes this process holds in plain allocations now. */
    synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    BackendMemory memory() {
        makeCurrent();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer free = stack.mallocPointer(1);
            PointerBuffer total = stack.mallocPointer(1);
            check(cuMemGetInfo(free, total), "cuMemGetInfo");
            return new BackendMemory(name, total.get(0), free.get(0));
        }
    }

    /** Host to device on the engine stream; {@code host} must stay valid until the stream passes it. */
    void copyToDeviceAsync(long deviceAddress, MemorySegment host) {
        check(ncuMemcpyHtoDAsync(deviceAddress, host.address(), host.byteSize(), stream), "cuMemcpyHtoDAsync");
    }

    /** Host to device, complete when it returns (weights from the mapped file: pageable memory). */
    void copyToDevice(long deviceAddress, MemorySegment host) {
        makeCurrent();
        check(ncuMemcpyHtoD(deviceAddress, host.address(), host.byteSize()), "cuMemcpyHtoD");
    }

    /** Host to device on the copy stream; {@code host} (pinned) must stay valid until {@code done} is reached. */
    void copyToDeviceOnCopyStream(long deviceAddress, MemorySegment host) {
        makeCurrent();
        check(ncuMemcpyHtoDAsync(deviceAddress, host.address(), host.byteSize(), copyStream), "cuMemcpyHtoDAsync");
    }

    /** An event recorded on the copy stream now: it completes when everything queued there before has. */
    long recordOnCopyStream() {
        makeCurrent();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer event = stack.mallocPointer(1);
            check(cuEventCreate(event, CU_EVENT_DEFAULT), "cuEventCreate");
            check(cuEventRecord(event.get(0), copyStream), "cuEventRecord");
            return event.get(0);
        }
    }

    /** Whether the work before an event has completed; never blocks. */
    boolean reached(long event) {
        makeCurrent();
        int result = cuEventQuery(event);
        if (result == CUDA_ERROR_NOT_READY) {
            return false;
        }
        check(result, "cuEventQuery");
        return true;
    }

    /** Milliseconds between two completed events. */
    float elapsedMillis(long begin, long end) {
        makeCurrent();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var millis = stack.mallocFloat(1);
            check(cuEventElapsedTime(millis, begin, end), "cuEventElapsedTime");
            return millis.get(0);
        }
    }

    void waitFor(long event) {
        makeCurrent();
        check(cuEventSynchronize(event), "cuEventSynchronize");
    }

    void destroyEvent(long event) {
        makeCurrent();
        check(cuEventDestroy(event), "cuEventDestroy");
    }

    void copyToHostAsync(MemorySegment host, long deviceAddress) {
        check(ncuMemcpyDtoHAsync(host.address(), deviceAddress, host.byteSize(), stream), "cuMemcpyDtoHAsync");
    }

    void copyDeviceToDevice(long to, long from, long bytes) {
        makeCurrent();
        copyDeviceToDeviceAsync(to, from, bytes);
        synchronize();
    }

    /** Milliseconds the device spends on what {@code work} enqueues on the stream, timed with events. */
    float timeMillis(Runnable work) {
        makeCurrent();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer begin = stack.mallocPointer(1);
            PointerBuffer end = stack.mallocPointer(1);
            check(cuEventCreate(begin, CU_EVENT_DEFAULT), "cuEventCreate");
            check(cuEventCreate(end, CU_EVENT_DEFAULT), "cuEventCreate");
            try {
                check(cuEventRecord(begin.get(0), stream), "cuEventRecord");
                work.run();
                check(cuEventRecord(end.get(0), stream), "cuEventRecord");
                check(cuEventSynchronize(end.get(0)), "cuEventSynchronize");
                var millis = stack.mallocFloat(1);
                check(cuEventElapsedTime(millis, begin.get(0), end.get(0)), "cuEventElapsedTime");
                return millis.get(0);
            } finally {
                check(cuEventDestroy(begin.get(0)), "cuEventDestroy");
                check(cuEventDestroy(end.get(0)), "cuEventDestroy");
            }
        }
    }

    /** Device-to-device copy on the stream, not waited for. */
    void copyDeviceToDeviceAsync(long to, long from, long bytes) {
        check(cuMemcpyDtoDAsync(to, from, bytes, stream), "cuMemcpyDtoDAsync");
    }

    void synchronize() {
        check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public void close() {
        makeCurrent();
        check(cuStreamSynchronize(stream), "cuStreamSynchronize");
        check(cuStreamDestroy(stream), "cuStreamDestroy");
        check(cuStreamSynchronize(copyStream), "cuStreamSynchronize");
        check(cuStreamDestroy(copyStream), "cuStreamDestroy");
        check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
    }
}
