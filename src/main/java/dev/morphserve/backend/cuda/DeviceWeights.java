package dev.morphserve.backend.cuda;

import dev.morphserve.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Weight matrices and norm vectors in device memory, shared by every runner of one backend and
 * counted by reference: a tensor is copied in when the first runner's table holds it and freed when
 * the last one lets it go (a morph swap replaces a layer's record; the old variant's copy goes).
 * Keys are the host objects themselves (identity), never their contents.
 */
final class DeviceWeights {
    private final CudaContext context;
    private final Map<Object, Resident> resident = new IdentityHashMap<>();
    private long residentBytes;

    private static final class Resident {
        final DeviceBuffer buffer;
        int references;

        Resident(DeviceBuffer buffer) {
            this.buffer = buffer;
        }
    }

    DeviceWeights(CudaContext context) {
        this.context = context;
    }

    /** The device copy of a matrix (GGUF layout), copied in on first use. */
    synchronized long acquire(Tensor t) {
        WeightKernels.of(t);
        return acquire(t, t.data(), t.name());
    }

    /** The device copy of a float vector (norm gains). */
    synchronized long acquire(float[] vector, String name) {
        return acquire(vector, MemorySegment.ofArray(vector), name);
    }

    private long acquire(Object key, MemorySegment data, String name) {
        Resident r = resident.get(key);
        if (r == null) {
            r = new Resident(context.allocate(data.byteSize(), name));
            copyIn(r.buffer, data);
            resident.put(key, r);
            residentBytes += data.byteSize();
        }
        r.references++;
        return r.buffer.address();
    }

    private void copyIn(DeviceBuffer buffer, MemorySegment data) {
        if (data.isNative()) {
            context.copyToDevice(buffer.address(), data);
            return;
        }
        try (Arena staging = Arena.ofConfined()) { // heap arrays have no address the driver can read
            MemorySegment copy = staging.allocate(data.byteSize(), 16);
            MemorySegment.copy(data, 0, copy, 0, data.byteSize());
            context.copyToDevice(buffer.address(), copy);
        }
    }

    /** Takes one more reference to a tensor already resident; false (nothing taken) when it is not. */
    synchronized boolean retainIfResident(Tensor t) {
        Resident r = resident.get(t);
        if (r == null) {
            return false;
        }
        r.references++;
        return true;
    }

    /**
     * Makes a buffer that a swap copied in (asynchronously) the device copy of {@code t}, holding one
     * reference for the caller; the runner that switches the layer in then finds it resident.
     */
    synchronized void adopt(Tensor t, DeviceBuffer buffer) {
        if (resident.containsKey(t)) {
            throw new IllegalStateException("tensor " + t.name() + " is already resident on the device");
        }
        Resident r = new Resident(buffer);
        r.references = 1;
        resident.put(t, r);
        residentBytes += buffer.bytes();
    }

    /** Lets go of one reference; the device copy is freed with the last. */
    synchronized void release(Object key) {
        Resident r = resident.get(key);
        if (r == null) {
            throw new IllegalStateException("released a weight that is not resident on the device");
        }
        if (--r.references == 0) {
            resident.remove(key);
            residentBytes -= r.buffer.bytes();
            context.free(r.buffer);
        }
    }

    synchronized long residentBytes() {
        return residentBytes;
    }
}
