package dev.morphserve.tensor;

import dev.morphserve.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * Re-encodes whole tensors (F16 -> Q8_0 / Q4_0 / Q4_K for layer variants, F32 -> F16, ...). Goes through
 * floats one row at a time, rows shared out over the common fork-join pool, so converting a 32000x2048
 * matrix needs a few MB of heap, not the matrix.
 */
public final class TensorConverter {
    private static final long BATCH_BYTES = 4 << 20;

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
        // rows encode independently, and K-quants' scale searches cost ~100 ns a weight: this thread decodes
        // a batch of rows (either segment may belong to a confined arena), the common pool encodes them
        int cols = src.cols();
        int batch = Math.max(1, Math.min(src.rows(), (int) (BATCH_BYTES / (4L * cols))));
        float[] rows = new float[batch * cols]; // [batch][cols] decoded rows
        MemorySegment out = MemorySegment.ofArray(new byte[(int) (batch * dstRowBytes)]); // [batch][dstRowBytes]
        for (int r0 = 0; r0 < src.rows(); r0 += batch) {
            int n = Math.min(batch, src.rows() - r0);
            for (int i = 0; i < n; i++) {
                TensorCodec.decodeRow(src, r0 + i, rows, i * cols);
            }
            IntStream.range(0, n).parallel().forEach(i -> TensorCodec.encode(target, rows, i * cols, cols, out, i * dstRowBytes));
            MemorySegment.copy(out, 0, dst, r0 * dstRowBytes, n * dstRowBytes);
        }
        return new Tensor(src.name(), target, src.rows(), src.cols(), dst);
    }
}
