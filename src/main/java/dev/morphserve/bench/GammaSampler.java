package dev.morphserve.bench;

import java.util.random.RandomGenerator;

/**
 * Gamma-distributed samples (Marsaglia and Tsang 2000), which the JDK lacks. Inter-arrival times with
 * shape k and scale 1/(rate*k) have mean 1/rate and coefficient of variation 1/sqrt(k): k = 1 is a
 * Poisson process, k &lt; 1 is burstier. This is how vLLM's benchmark defines {@code --burstiness}.
 */
final class GammaSampler {
    private final double shape;
    private final double scale;
    private final RandomGenerator random;

    GammaSampler(double shape, double scale, RandomGenerator random) {
        if (!(shape > 0) || !(scale > 0) || Double.isInfinite(shape) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("gamma needs finite shape > 0 and scale > 0, got " + shape + ", " + scale);
        }
        this.shape = shape;
        this.scale = scale;
        this.random = random;
    }

    double next() {
        return scale * standard(shape);
    }

    private double standard(double k) {
        if (k < 1) {
            // Boost: Gamma(k) = Gamma(k + 1) * U^(1/k); the squeeze method below needs k >= 1.
            double u = nonZeroUniform();
            return standard(k + 1) * Math.pow(u, 1.0 / k);
        }
        double d = k - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1.0 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = nonZeroUniform();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private double nonZeroUniform() {
        double u;
        do {
            u = random.nextDouble();
        } while (u == 0);
        return u;
    }
}
