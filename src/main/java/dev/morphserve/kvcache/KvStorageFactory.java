package dev.morphserve.kvcache;

/** Allocates the memory of a KV chunk where a backend's attention reads it. */
@FunctionalInterface
public interface KvStorageFactory {

    /** Off-heap host memory, as the CPU backend's attention reads it. */
    KvStorageFactory HOST = HostKvStorage::new;

    KvStorage allocate(KvLayout layout, int numBlocks);
}
