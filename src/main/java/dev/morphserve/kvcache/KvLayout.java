package dev.morphserve.kvcache;

/**
 * The shape of the KV cache: how many bytes one block takes, per layer and in all.
 *
 * @param blockSize tokens per block
 * @param kvDim     elements per token row (numKvHeads * headSize)
 * @param type      element type of the cached rows (the CPU stores either, CUDA F16 only)
 */
public record KvLayout(int numLayers, int blockSize, int kvDim, KvType type) {
    public KvLayout {
        if (blockSize < 1 || numLayers < 1 || kvDim < 1 || type == null) {
            throw new IllegalArgumentException("invalid KV layout: " + numLayers + " layers, block size " + blockSize
                    + ", kvDim " + kvDim + ", elements " + type);
        }
    }

    /** Bytes of one cached element. */
    public int elementBytes() {
        return type.bytes();
    }

    /** Bytes of one block's K (or V) rows in one layer. */
    public long blockBytesPerLayer() {
        return (long) blockSize * kvDim * elementBytes();
    }

    /** Bytes of one block: K and V, every layer. */
    public long blockBytes() {
        return 2L * numLayers * blockBytesPerLayer();
    }

    public int blocksFor(int numTokens) {
        return (numTokens + blockSize - 1) / blockSize;
    }
}
