package dev.morphserve.model;

/**
 * Rotary position embedding over the first {@code ropeDim} elements of every head.
 * Frequencies follow llama2.c: theta_i = pos / base^(2i / ropeDim) for pair i.
 */
final class Rope {
    private final RopeLayout layout;
    private final int headSize;
    private final int ropeDim;
    /** [ropeDim / 2] inverse frequency of each rotated pair. */
    private final float[] inverseFrequency;

    Rope(ModelConfig config) {
        this.layout = config.ropeLayout();
        this.headSize = config.headSize();
        this.ropeDim = config.ropeDim();
        this.inverseFrequency = config.ropeInverseFrequencies();
    }

    /** Rotates {@code numHeads} heads stored back to back in {@code x} starting at {@code offset}. */
    void apply(float[] x, int offset, int numHeads, int position) {
        for (int i = 0; i < ropeDim / 2; i++) {
            float angle = position * inverseFrequency[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            // NORMAL rotates (2i, 2i+1); NEOX rotates (i, i + ropeDim/2).
            int first = layout == RopeLayout.NORMAL ? 2 * i : i;
            int second = layout == RopeLayout.NORMAL ? 2 * i + 1 : i + ropeDim / 2;
            for (int h = 0; h < numHeads; h++) {
                int base = offset + h * headSize;
                float a = x[base + first];
                float b = x[base + second];
                x[base + first] = a * cos - b * sin;
                x[base + second] = a * sin + b * cos;
            }
        }
    }
}
