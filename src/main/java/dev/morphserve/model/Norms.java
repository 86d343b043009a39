package dev.morphserve.model;

/** RMSNorm as llama2.c computes it (float accumulation, eps inside the root). */
final class Norms {
    private Norms() {}

    /** out[row] = weight * x[row] / sqrt(mean(x[row]^2) + eps) for each of {@code numRows} rows of width {@code dim}. */
    static void rmsNorm(float[] out, float[] x, float[] weight, int numRows, int dim, float eps) {
        for (int r = 0; r < numRows; r++) {
            int base = r * dim;
            float ss = 0f;
            for (int i = 0; i < dim; i++) {
                ss += x[base + i] * x[base + i];
            }
            float scale = (float) (1.0 / Math.sqrt(ss / dim + eps));
            for (int i = 0; i < dim; i++) {
                out[base + i] = weight[i] * (scale * x[base + i]);
            }
        }
    }
}
