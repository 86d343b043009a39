package dev.morphserve.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every kernel shares, and a lane sum with a fixed order.
 *
 * <p>Float lanes: the preferred width when it is 256 or 512 bits (AVX2 / AVX-512 / SVE-256), else the
 * nearest of the two, so that a quantized block of 32 is always a whole number of vectors and a
 * 16-byte half block of Q4_0 a whole number of byte vectors.
 */
public final class Lanes {
    public static final VectorSpecies<Float> F = pick();
    public static final int L = F.length(); // 8 or 16 float lanes
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Bytes with one lane per float lane, widened by B2F / B2I. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    /** Shorts with one lane per float lane. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));

    // butterfly partners: lane i with lane i ^ L/2, then i ^ L/4, ..., i ^ 1
    private static final VectorShuffle<Float> XOR8 = xor(8);
    private static final VectorShuffle<Float> XOR4 = xor(4);
    private static final VectorShuffle<Float> XOR2 = xor(2);
    private static final VectorShuffle<Float> XOR1 = xor(1);

    private Lanes() {}

    private static VectorSpecies<Float> pick() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (preferred.length() > 16) {
            return FloatVector.SPECIES_512;
        }
        return preferred.length() < 8 ? FloatVector.SPECIES_256 : preferred;
    }

    private static VectorShuffle<Float> xor(int distance) {
        return VectorShuffle.fromOp(F, i -> (i ^ distance) % L);
    }

    /**
     * Sum of all lanes in a fixed butterfly order. Not {@code reduceLanes(ADD)}: its order may differ
     * between the interpreter and C2, and a request's logits must not depend on which tier ran them.
     */
    public static float sum(FloatVector v) {
        if (L == 16) {
            v = v.add(v.rearrange(XOR8));
        }
        v = v.add(v.rearrange(XOR4));
        v = v.add(v.rearrange(XOR2));
        v = v.add(v.rearrange(XOR1));
        return v.lane(0);
    }
}
