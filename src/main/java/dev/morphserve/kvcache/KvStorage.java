package dev.morphserve.kvcache;

/**
 * The memory behind one KV chunk: host memory for the CPU backend, device memory for CUDA. The
 * pool hands blocks out by id and never looks inside; attention kernels reach the bytes through
 * the backend's own storage type.
 */
public interface KvStorage extends AutoCloseable {

    /** Bytes this storage holds (K and V, every layer, every block). */
    long byteSize();

    /**
     * Copies one block's K and V rows of every layer to a block of {@code target} (the resizer's
     * evacuation). Block indices are relative to each storage's first block.
     */
    void copyBlock(int fromIndex, KvStorage target, int toIndex);

    @Override
    void close();
}
