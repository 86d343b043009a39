package dev.morphserve.kernel;

import static dev.morphserve.kernel.Lanes.I;
import static dev.morphserve.kernel.Lanes.S;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F16 values read in float lanes without a conversion instruction: the Vector API has no
 * half-to-float lane conversion, so halves are widened in integer lanes.
 *
 * <pre>
 * half h = s eeeee mmmmmmmmmm          sign-extended to 32 bits, shifted left 13, masked 0x8FFFFFFF:
 * bits   = s 000eeeee mmmmmmmmmm 0^13  = the float h * 2^-112, exactly (subnormal halves land on
 *                                       float subnormals, still exact; zero stays zero)
 * </pre>
 *
 * A caller multiplies by {@link #BIAS_SCALE} once, on the other operand (x * 2^112 times
 * h * 2^-112 is the same real number as x * h, so an fma rounds it the same way), or on the
 * result. Halves that are inf or NaN decode as large finite values.
 */
public final class Halves {
    /** 2^112: moves a half's exponent bias (15) to a float's (127). */
    public static final float BIAS_SCALE = 0x1p112f;
    /** Largest |x| whose scaled value {@code x * BIAS_SCALE} stays finite (2^16 * 2^112 = 2^128 overflows). */
    public static final float MAX_ABS_SCALED = 0x1p16f;
    /** Largest finite half. */
    public static final float MAX_HALF = 65504f;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Halves() {}

    /** {@link Lanes#L} halves at {@code at} as floats scaled by 2^-112. */
    public static FloatVector load(MemorySegment segment, long at) {
        IntVector v = (IntVector) ShortVector.fromMemorySegment(S, segment, at, LE).convertShape(VectorOperators.S2I, I, 0);
        return v.lanewise(VectorOperators.LSHL, 13).and(0x8FFF_FFFF).reinterpretAsFloats();
    }

    /**
     * x rounded to the nearest half, saturating at +-65504 rather than overflowing to infinity
     * (which {@link #load} could not read back); NaN stays NaN.
     */
    public static short fromFloat(float x) {
        return Float.floatToFloat16(Math.max(-MAX_HALF, Math.min(MAX_HALF, x)));
    }
}
