package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix: {@code rows} rows of {@code cols} elements each, encoded in {@code type}
 * (whole blocks, so {@code cols % type.blockSize() == 0}). In the {@link TensorLayout#GGML} layout it
 * is stored row-major as in ggml; GGUF names the shape {@code ne = [cols, rows]}: ne[0] is the
 * contiguous dimension. A {@link TensorLayout#KERNEL_PANELS} tensor is a kernel's private repacked copy
 * of one (see {@code Kernels.prepare}); only its byte size is checked here.
 *
 * <p>{@code data} is usually a slice of the mmapped model file or an off-heap copy; never a heap
 * array, so that the 1.1B model runs with a small heap.
 *
 * @param data GGML layout: rows * rowBytes() bytes, little-endian
 */
public record Tensor(String name, GgmlType type, int rows, int cols, MemorySegment data, TensorLayout layout) {
    /** A tensor in ggml layout. */
    public Tensor(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, TensorLayout.GGML);
    }

    public Tensor {
        if (layout == null) {
            throw new IllegalArgumentException(name + ": layout is null");
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + cols + " columns do not split into "
                    + type + " blocks of " + type.blockSize());
        }
        long expected = (long) rows * type.bytesFor(cols);
        if (layout == TensorLayout.GGML && data.byteSize() != expected) {
            throw new IllegalArgumentException(
                    name + ": expected " + expected + " bytes for " + rows + "x" + cols + " " + type + ", got "
                            + data.byteSize());
        }
    }

    /** Bytes of one row (GGML layout). */
    public long rowBytes() {
        return type.bytesFor(cols);
    }

    public long byteSize() {
        return data.byteSize();
    }
}
