package dev.morphserve.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the file's tensor table (the spec's {@code gguf_tensor_info_t}).
 *
 * @param ne shape, ggml order: ne[0] is the contiguous dimension (a matrix of R rows and C
 *     columns is {@code [C, R]}); 1 to 4 positive dims
 * @param offset byte offset of the data relative to the start of the data section
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long offset) {
    /** ggml's GGML_MAX_DIMS: the spec allows up to 4 dimensions. */
    public static final int MAX_DIMS = 4;

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        ne = ne.clone();
        if (ne.length < 1 || ne.length > MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + ne.length + " dims, need 1.." + MAX_DIMS);
        }
        for (long d : ne) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dim: " + Arrays.toString(ne));
            }
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor '" + name + "' has a negative offset " + offset);
        }
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    public int nDims() {
        return ne.length;
    }

    /** ne[i], or 1 past the last dim (ggml pads shapes with ones). */
    public long dim(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** @throws ArithmeticException when the product overflows a long */
    public long numElements() {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Bytes of the tensor's data.
     *
     * @throws IllegalArgumentException when ne[0] is not a whole number of the type's blocks
     * @throws ArithmeticException when the size overflows a long
     */
    public long byteSize() {
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': ne[0]=" + ne[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        return Math.multiplyExact(numElements() / type.blockSize(), (long) type.typeSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t
                && name.equals(t.name)
                && Arrays.equals(ne, t.ne)
                && type == t.type
                && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(ne), type, offset);
    }

    @Override
    public String toString() {
        return "GgufTensorInfo[" + name + " " + type + " ne=" + Arrays.toString(ne) + " @" + offset + "]";
    }
}
