package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix stored row-major in ggml layout: {@code rows} rows of {@code cols} elements
 * each, every row encoded in {@code type} (whole blocks, so {@code cols % type.blockSize() == 0}).
 * GGUF names the shape {@code ne = [cols, rows]}: ne[0] is the contiguous dimension.
 *
 * <p>{@code data} is usually a slice of the mmapped model file or an off-heap copy; never a heap
 * array, so that the 1.1B model runs with a small heap.
 *
 * @param data rows * rowBytes() bytes, little-endian
 */
public record Tensor(String name, GgmlType type, int rows, int cols, MemorySegment data) {
    public Tensor {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns do not split into "
                    + type + " blocks of " + type.blockSize());
        }
        long expected = (long) rows * type.bytesFor(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(
                    name + ": expected " + expected + " bytes for " + rows + "x" + cols + " " + type + ", got "
                            + data.byteSize());
        }
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.bytesFor(cols);
    }

    public long byteSize() {
        return data.byteSize();
    }
}
