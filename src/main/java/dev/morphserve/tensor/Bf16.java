package dev.morphserve.tensor;

/**
 * bfloat16 conversions with ggml's rounding ({@code ggml_compute_fp32_to_bf16}): round to nearest
 * even on the upper 16 bits of the float, NaN kept as a quiet NaN of the same sign.
 *
 * <pre>
 * f32 bits: [s|eeeeeeee|mmmmmmm mmmmmmmmmmmmmmmm]
 * bf16    : [s|eeeeeeee|mmmmmmm]                   = upper half, rounded
 * </pre>
 */
public final class Bf16 {
    private Bf16() {}

    /** Upper 16 bits of the rounded float, as ggml stores them (returned in the low 16 bits). */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            // NaN: truncation could drop every mantissa bit and make it Inf; set the quiet bit
            return (short) ((bits >>> 16) | 64);
        }
        // adding 0x7fff plus the lowest kept bit rounds ties towards the even upper half
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    public static float toFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }
}
