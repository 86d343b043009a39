package dev.morphserve.morph;

/**
 * One layer's importance scores (paper Eq. 5, DESIGN §5); every score is a cosine, higher = safer
 * to swap.
 *
 * @param lts  layer transformation similarity: cosine(layer input, layer output) on the base model
 *             (a layer that barely changes the residual stream matters little)
 * @param lrs  layer replacement similarity: cosine(base output, low-variant output), same input
 * @param mds  model degradation similarity when the layer was picked: cosine(final hidden states
 *             with it and every earlier pick swapped, final hidden states of the base model)
 * @param lis  0.25 * lts + 0.25 * lrs + 0.5 * mds
 * @param rank position in the swap order: 0 = swapped first
 */
public record LayerScore(int layer, double lts, double lrs, double mds, double lis, int rank) {
    public static final double LTS_WEIGHT = 0.25;
    public static final double LRS_WEIGHT = 0.25;
    public static final double MDS_WEIGHT = 0.5;

    public static double lis(double lts, double lrs, double mds) {
        return LTS_WEIGHT * lts + LRS_WEIGHT * lrs + MDS_WEIGHT * mds;
    }

    /** A score whose lis is computed from the three similarities. */
    public static LayerScore of(int layer, double lts, double lrs, double mds, int rank) {
        return new LayerScore(layer, lts, lrs, mds, lis(lts, lrs, mds), rank);
    }
}
