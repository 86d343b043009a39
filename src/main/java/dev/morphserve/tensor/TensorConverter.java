package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Re-encodes whole tensors (F16 -> Q8_0 / Q4_0 for layer variants, F32 -> F16, ...). Goes through
 * floats one row at a time, so converting a 32000x2048 matrix needs one row of heap, not the matrix.
 */
public final class TensorConverter {
    private TensorConverter() {}

    /** Whether both types have a codec and every row splits into whole blocks of {@code target}. */
    public static boolean canConvert(Tensor src, GgmlType target) {
        return TensorCodec.supports(src.type())
                && TensorCodec.supports(target)
                && src.cols() % target.blockSize() == 0;
    }

    /** Encodes {@code src} as {@code target} into a fresh allocation of {@code arena}. */
    public static Tensor convert(Tensor src, GgmlType target, Arena arena) {
        if (!canConvert(src, target)) {
            throw new IllegalArgumentException("cannot convert tensor " + src.name() + " (" + src.rows() + "x"
                    + src.cols() + " " + src.type() + ") to " + target
                    + (src.cols() % target.blockSize() != 0
                            ? ": " + src.cols() + " columns do not split into blocks of " + target.blockSize()
                            : ": unsupported type"));
        }
        long dstRowBytes = target.bytesFor(src.cols());
        // 64-byte alignment keeps vector loads of a row from straddling more cache lines than needed
        MemorySegment dst = arena.allocate(dstRowBytes * src.rows(), 64);
        float[] row = new float[src.cols()]; // [cols] one decoded row
        for (int r = 0; r < src.rows(); r++) {
            TensorCodec.decodeRow(src, r, row, 0);
            TensorCodec.encode(target, row, 0, src.cols(), dst, r * dstRowBytes);
        }
        return new Tensor(src.name(), target, src.rows(), src.cols(), dst);
    }
}
