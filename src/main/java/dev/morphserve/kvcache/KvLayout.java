package dev.morphserve.kvcache;

/**
 * The shape of the KV cache: how many bytes one block takes, per layer and in all.
 *
 * @param blockSize tokens per block
 * @param kvDim     floats per token row (numKvHeads * headSize)
 */
public record KvLayout(int numLayers, int blockSize, int kvDim) {
    public KvLayout {
        if (blockSize < 1 || numLayers < 1 || kvDim < 1) {
            throw new IllegalArgumentException("invalid KV layout: " + numLayers + " layers, block size " + blockSize + ", kvDim " + kvDim);
        }
    }

    /** Bytes of one block's K (or V) rows in one layer. */
    public long blockBytesPerLayer() {
        return (long) blockSize * kvDim * Float.BYTES;
    }

    /** Bytes of one block: K and V, every layer. */
    public long blockBytes() {
        return 2L * numLayers * blockBytesPerLayer();
    }

    public int blocksFor(int numTokens) {
        return (numTokens + blockSize - 1) / blockSize;
    }
}
