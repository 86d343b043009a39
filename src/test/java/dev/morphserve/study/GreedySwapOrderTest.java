package dev.morphserve.study;

import dev.morphserve.morph.LayerScore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GreedySwapOrderTest {
    @Test
    void lisWeighsMdsTwiceAsMuchAsLtsAndLrs() {
        assertThat(LayerScore.lis(0.8, 0.6, 0.9)).isCloseTo(0.25 * 0.8 + 0.25 * 0.6 + 0.5 * 0.9, within(1e-15));
        assertThat(LayerScore.lis(1, 1, 1)).isEqualTo(1.0);
        assertThat(LayerScore.lis(0, 0, 1)).isEqualTo(0.5);
        LayerScore s = LayerScore.of(3, 0.4, 0.8, 0.6, 2);
        assertThat(s.lis()).isCloseTo(0.6, within(1e-15));
        assertThat(s.layer()).isEqualTo(3);
        assertThat(s.rank()).isEqualTo(2);
    }

    @Test
    void recomputedMdsChangesTheOrder() {
        double[] lts = {0.9, 0.9, 0.9};
        double[] lrs = {0.9, 0.9, 0.9};
        // alone, layer 1 beats layer 2; next to layer 0 it degrades the model much more
        Map<List<Integer>, double[]> mdsBySwapped = Map.of(
                List.of(), new double[] {0.99, 0.98, 0.97},
                List.of(0), new double[] {0.80, 0.95},
                List.of(0, 2), new double[] {0.70});
        List<List<Integer>> calls = new ArrayList<>();
        List<LayerScore> picks = GreedySwapOrder.order(lts, lrs, (swapped, candidates) -> {
            calls.add(List.of(swapped, candidates).stream().flatMap(List::stream).toList());
            return mdsBySwapped.get(swapped);
        });
        assertThat(picks).extracting(LayerScore::layer).containsExactly(0, 2, 1);
        assertThat(picks).extracting(LayerScore::rank).containsExactly(0, 1, 2);
        assertThat(picks).extracting(LayerScore::mds).containsExactly(0.99, 0.95, 0.70);
        assertThat(picks.get(1).lis()).isCloseTo(0.25 * 0.9 + 0.25 * 0.9 + 0.5 * 0.95, within(1e-15));
        // the scorer saw (swapped..., candidates...) each round
        assertThat(calls).containsExactly(List.of(0, 1, 2), List.of(0, 1, 2), List.of(0, 2, 1));
    }

    @Test
    void ltsAndLrsBreakEqualMdsAndTiesGoToTheLowerLayer() {
        double[] lts = {0.5, 0.9, 0.5};
        double[] lrs = {0.5, 0.5, 0.5};
        List<LayerScore> picks = GreedySwapOrder.order(lts, lrs, (swapped, candidates) -> {
            double[] mds = new double[candidates.size()];
            java.util.Arrays.fill(mds, 0.9);
            return mds;
        });
        assertThat(picks).extracting(LayerScore::layer).containsExactly(1, 0, 2);
    }
}
