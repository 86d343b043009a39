package dev.morphserve.study;

import dev.morphserve.morph.LayerScore;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the swap order greedily (DESIGN §5): pick the layer with the highest LIS, fix it as
 * swapped, recompute MDS (and so LIS) of the rest given the picks so far, repeat. MDS is the only
 * score that depends on what is already swapped: errors of quantized layers compound, so a layer
 * that is harmless alone may not be harmless next to the layers swapped before it.
 */
public final class GreedySwapOrder {
    private GreedySwapOrder() {}

    /** Computes MDS of each candidate when it is swapped together with {@code swapped}. */
    @FunctionalInterface
    public interface MdsScorer {
        /** @return MDS per candidate, in the order of {@code candidates} */
        double[] mds(List<Integer> swapped, List<Integer> candidates);
    }

    /**
     * @param lts per layer, independent of the swapped set
     * @param lrs per layer, independent of the swapped set
     * @return one score per layer in swap order (rank 0 first); ties go to the lower layer index
     */
    public static List<LayerScore> order(double[] lts, double[] lrs, MdsScorer scorer) {
        if (lts.length != lrs.length) {
            throw new IllegalArgumentException("LTS for " + lts.length + " layers but LRS for " + lrs.length);
        }
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < lts.length; i++) {
            remaining.add(i);
        }
        List<Integer> swapped = new ArrayList<>();
        List<LayerScore> picks = new ArrayList<>();
        while (!remaining.isEmpty()) {
            double[] mds = scorer.mds(List.copyOf(swapped), List.copyOf(remaining));
            if (mds.length != remaining.size()) {
                throw new IllegalStateException("scorer returned " + mds.length + " MDS for " + remaining.size()
                        + " candidates");
            }
            LayerScore best = null;
            for (int c = 0; c < remaining.size(); c++) {
                int layer = remaining.get(c);
                LayerScore score = LayerScore.of(layer, lts[layer], lrs[layer], mds[c], picks.size());
                // strict '>' keeps the lower index on ties (candidates are ascending)
                if (best == null || score.lis() > best.lis()) {
                    best = score;
                }
            }
            picks.add(best);
            swapped.add(best.layer());
            remaining.remove(Integer.valueOf(best.layer()));
        }
        return picks;
    }
}
