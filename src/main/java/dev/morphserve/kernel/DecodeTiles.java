package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.B;
import static dev.morphserve.kernel.Lanes.F;
import static dev.morphserve.kernel.Lanes.L;
import static dev.morphserve.kernel.WeightDequant.I16;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One token times 4 Q8_0 rows straight from the encoded bytes (decode steps), with no scratch
 * round trip: the weight vectors go from the load to the fma in registers. (A fused Q4_0 variant was
 * measured slower than decode-to-scratch + {@link DotTiles#tile4x1}, 10.1 vs 11.0 tok/s, so Q4_0 keeps
 * the scratch path.)
 *
 * <p>The decoded values and the order of the fmas are exactly those of {@link WeightDequant} followed
 * by {@link DotTiles#tile4x1}, so a token gets bit-identical results whether it is decoded alone or in a
 * batch. acc: [4][L] lane accumulators, read and written back.
 *
 * <pre>
 * rows r0..r0+3 are consecutive in memory (rowBytes apart); per block b, per row:
 *   Q8_0: [d][q0..q31]  -> acc_r += (q_j * d) * x[32b + j]
 * </pre>
 */
final class DecodeTiles {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DecodeTiles() {}

    static void q8_0x4(MemorySegment w, long row0, long rowBytes, int blocks, float[] x, int x0, float[] acc) {
        FloatVector a0 = FloatVector.fromArray(F, acc, 0);
        FloatVector a1 = FloatVector.fromArray(F, acc, L);
        FloatVector a2 = FloatVector.fromArray(F, acc, 2 * L);
        FloatVector a3 = FloatVector.fromArray(F, acc, 3 * L);
        long o0 = row0;
        long o1 = row0 + rowBytes;
        long o2 = row0 + 2 * rowBytes;
        long o3 = row0 + 3 * rowBytes;
        for (int b = 0; b < blocks; b++, o0 += 34, o1 += 34, o2 += 34, o3 += 34) {
            float d0 = Float.float16ToFloat(w.get(I16, o0));
            float d1 = Float.float16ToFloat(w.get(I16, o1));
            float d2 = Float.float16ToFloat(w.get(I16, o2));
            float d3 = Float.float16ToFloat(w.get(I16, o3));
            int xb = x0 + 32 * b;
            for (int j = 0; j < 32; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xb + j);
                a0 = q8(w, o0 + 2 + j).mul(d0).fma(xv, a0);
                a1 = q8(w, o1 + 2 + j).mul(d1).fma(xv, a1);
                a2 = q8(w, o2 + 2 + j).mul(d2).fma(xv, a2);
                a3 = q8(w, o3 + 2 + j).mul(d3).fma(xv, a3);
            }
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, L);
        a2.intoArray(acc, 2 * L);
        a3.intoArray(acc, 3 * L);
    }

    private static FloatVector q8(MemorySegment w, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, off, LE).convertShape(VectorOperators.B2F, F, 0);
    }
}
