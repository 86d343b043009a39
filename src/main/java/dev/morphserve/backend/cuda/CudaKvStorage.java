package dev.morphserve.backend.cuda;

import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvStorage;
import dev.morphserve.kvcache.KvType;

/**
 * A KV chunk in device memory: one plain allocation. A block keeps all its layers together, so
 * that moving a block (the resizer's evacuation) is one device-to-device copy and one base
 * address per block serves every layer of a step.
 *
 * <pre>
 * chunk : [numBlocks] blocks of layout.blockBytes()
 * block : [numLayers][2: K, V][blockSize][kvDim] F16
 * </pre>
 */
final class CudaKvStorage implements KvStorage {
    private final CudaContext context;
    private final DeviceBuffer buffer;
    private final long blockBytes;

    CudaKvStorage(CudaContext context, KvLayout layout, int numBlocks) {
        if (layout.type() != KvType.F16) {
            throw new IllegalArgumentException("the CUDA KV cache holds F16 elements, the layout asks for " + layout.type());
        }
        this.context = context;
        this.blockBytes = layout.blockBytes();
        this.buffer = context.allocate(numBlocks * blockBytes, "a KV chunk of " + numBlocks + " blocks");
    }

    /** Device address of a block (index inside this chunk): its layer 0 keys. */
    long blockAddress(int index) {
        return buffer.address() + index * blockBytes;
    }

    @Override
    public long byteSize() {
        return buffer.bytes();
    }

    @Override
    public void copyBlock(int fromIndex, KvStorage target, int toIndex) {
        if (!(target instanceof CudaKvStorage device)) {
            throw new IllegalArgumentException("cannot copy a device KV block into " + target.getClass().getSimpleName());
        }
        context.copyDeviceToDevice(device.blockAddress(toIndex), blockAddress(fromIndex), blockBytes);
    }

    @Override
    public void close() {
        context.free(buffer);
    }
}
