package dev.morphserve.tensor;

/**
 * The scale searches of ggml's K-quant reference quantizers ({@code make_qx_quants},
 * {@code make_q3_quants}, {@code make_qkx2_quants}, {@code nearest_int} in ggml-quants.c), without an
 * importance matrix, as {@code llama-quantize} runs them.
 *
 * <p>Bit compatibility rests on doing every float operation in ggml's order: ggml-base is built
 * without FMA, so {@code a*b + c} is two roundings there and must stay two here (Java never fuses),
 * and {@code w*l*x} is {@code (w*l)*x}. Ints meet floats where C converts them, e.g. {@code nmax/(max - min)}.
 */
final class KQuantSearch {
    private KQuantSearch() {}

    /**
     * C's {@code nearest_int}: adding 1.5 * 2^23 leaves round-half-even(v) in the low mantissa bits
     * (exact for |v| < 2^22; larger values wrap as in ggml).
     */
    /** The value of largest magnitude among x[xOff .. xOff+n), sign kept (the first on ties; 0 for none). */
    static float signedAbsMax(float[] x, int xOff, int n) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        return max;
    }

    /** v rounded as ggml's nearest_int and clamped to the symmetric code range [-nmax, nmax). */
    private static int code(float v, int nmax) {
        return Math.max(-nmax, Math.min(nmax - 1, nearestInt(v)));
    }

    static int nearestInt(float v) {
        int bits = Float.floatToRawIntBits(v + 12582912f);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /**
     * Symmetric codes in [-nmax, nmax) stored as {@code L = l + nmax}, weights {@code x*x}
     * ({@code make_qx_quants} with rmse_type 1, no quant weights): the scale of the best of 19 trial
     * inverse scales around -nmax/max. Returns the scale; {@code l[lOff..lOff+n)} gets the codes.
     */
    static float qxQuants(int n, int nmax, float[] x, int xOff, byte[] l, int lOff) {
        float max = signedAbsMax(x, xOff, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            java.util.Arrays.fill(l, lOff, lOff + n, (byte) 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int q = code(iscale * xi, nmax);
            l[lOff + i] = (byte) (q + nmax);
            float w = xi * xi;
            sumlx += w * xi * q;
            suml2 += w * q * q;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int q = code(iscale * xi, nmax);
                float w = xi * xi;
                sumlx += w * xi * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    l[lOff + i] = (byte) (nmax + code(iscale * x[xOff + i], nmax));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * {@code make_q3_quants} with do_rmse: codes in [-nmax, nmax) refined one at a time (at most 5
     * sweeps) while the weighted fit improves; stored as {@code l + nmax}. Returns the scale.
     */
    static float q3Quants(int n, int nmax, float[] x, int xOff, byte[] l, int lOff) {
        float max = signedAbsMax(x, xOff, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            java.util.Arrays.fill(l, lOff, lOff + n, (byte) 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int q = code(iscale * xi, nmax);
            l[lOff + i] = (byte) q;
            float w = xi * xi;
            sumlx += w * xi * q;
            suml2 += w * q * q;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float w = xi * xi;
                int li = l[lOff + i];
                float slx = sumlx - w * xi * li;
                if (slx > 0) {
                    float sl2 = suml2 - w * li * li;
                    int q = code(xi * sl2 / slx, nmax);
                    if (q != li) {
                        slx += w * xi * q;
                        sl2 += w * q * q;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            l[lOff + i] = (byte) q;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            l[lOff + i] += (byte) nmax;
        }
        return suml2 > 0f ? sumlx / suml2 : 0f;
    }

    /**
     * {@code make_qkx2_quants}: codes in [0, nmax] for {@code x ~ scale * l - min} (min >= 0), the best
     * weighted least-squares fit over {@code nstep + 1} trial scales {@code (rmin + rdelta*is + nmax)/(max - min)}.
     * Returns the scale and stores the min (as a positive number) in {@code minOut[0]}.
     *
     * @param aux [n] scratch for the trial codes
     */
    static float qkx2Quants(int n, int nmax, float[] x, int xOff, float[] weights, byte[] l, int lOff, float[] minOut,
            byte[] aux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            java.util.Arrays.fill(l, lOff, lOff + n, (byte) 0);
            minOut[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xOff + i] - min))));
            l[lOff + i] = (byte) q;
            float diff = scale * q + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXl = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xOff + i] - min))));
                aux[i] = (byte) q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXl += w * q * x[xOff + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (aux[i] & 0xff) + thisMin - x[xOff + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, l, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }

    /** ggml's threshold below which a group counts as all zeros. */
    static final float GROUP_MAX_EPS = 1e-15f;
}
