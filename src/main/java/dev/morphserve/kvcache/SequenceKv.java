package dev.morphserve.kvcache;

/**
 * A private KV cache for one sequence of up to {@code maxTokens} tokens, blocks allocated up
 * front: what single-sequence tools (generate, perplexity, bench) need.
 */
public final class SequenceKv implements AutoCloseable {
    private final BlockPool pool;
    private final BlockTable table = new BlockTable();
    private final int maxTokens;

    public SequenceKv(KvLayout layout, int maxTokens) {
        this(layout, maxTokens, KvStorageFactory.HOST);
    }

    public SequenceKv(KvLayout layout, int maxTokens, KvStorageFactory storage) {
        int blocks = layout.blocksFor(maxTokens);
        this.pool = new BlockPool(layout, blocks, storage);
        this.maxTokens = maxTokens;
        for (int i = 0; i < blocks; i++) {
            table.add(pool.allocate());
        }
    }

    public BlockPool cache() {
        return pool;
    }

    public BlockTable table() {
        return table;
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        pool.close();
    }
}
