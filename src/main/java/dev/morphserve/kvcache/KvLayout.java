package dev.morphserve.kvcache;

/**
 * The shape of the KV cache: how many bytes one block takes, per layer and in all.
 *
 * @param blockSize    tokens per block
 * @param kvDim        elements per token row (numKvHeads * headSize)
 * @param elementBytes bytes of one cached element: 4 for the CPU's float32 rows, 2 for CUDA's F16
 */
public record KvLayout(int numLayers, int blockSize, int kvDim, int elementBytes) {
    public KvLayout {
        if (blockSize < 1 || numLayers < 1 || kvDim < 1 || (elementBytes != 2 && elementBytes != 4)) {
            throw new IllegalArgumentException("invalid KV layout: " + numLayers + " layers, block size " + blockSize
                    + ", kvDim " + kvDim + ", " + elementBytes + " bytes an element");
        }
    }

    /** A float32 layout, as the CPU backend stores it. */
    public KvLayout(int numLayers, int blockSize, int kvDim) {
        this(numLayers, blockSize, kvDim, Float.BYTES);
    }

    /** Bytes of one block's K (or V) rows in one layer. */
    public long blockBytesPerLayer() {
        return (long) blockSize * kvDim * elementBytes;
    }

    /** Bytes of one block: K and V, every layer. */
    public long blockBytes() {
        return 2L * numLayers * blockBytesPerLayer();
    }

    public int blocksFor(int numTokens) {
        return (numTokens + blockSize - 1) / blockSize;
    }
}
