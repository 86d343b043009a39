package dev.morphserve.kvcache;

import java.util.Arrays;

/**
 * One sequence's logical-to-physical block map: token position p lives in block
 * {@code get(p / blockSize)} at row {@code p % blockSize}.
 */
public final class BlockTable {
    private int[] blockIds = new int[8];
    private int size;

    public int size() {
        return size;
    }

    public int get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException("block " + index + " of a table with " + size + " blocks");
        }
        return blockIds[index];
    }

    public void add(int blockId) {
        if (size == blockIds.length) {
            blockIds = Arrays.copyOf(blockIds, size * 2);
        }
        blockIds[size++] = blockId;
    }

    /** Points a logical block at another physical block (used when a chunk is evacuated). */
    public void replace(int index, int blockId) {
        get(index);
        blockIds[index] = blockId;
    }

    public int[] toArray() {
        return Arrays.copyOf(blockIds, size);
    }

    public void clear() {
        size = 0;
    }
}
