package dev.morphserve.bench;

import dev.morphserve.model.ModelRunner;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.morph.SwapQualityStudy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quality of each swapped-layer count a comparison saw, and each configuration's quality as the
 * tokens it generated saw it: {@code sum_k tokens_k * quality_k / sum_k tokens_k}.
 *
 * <p>Quality is measured on a quality model, by default the served one. When it has another number
 * of layers (a trained proxy for a synthetic served model), k served layers out of L map to
 * round(k * L' / L) of its L' layers, swapped in its own order: the same share of the network.
 */
public final class CompareQuality {
    /** Quality with {@code qualityLayers} of the quality model's layers swapped. */
    public record Point(int qualityLayers, double perplexity) {}

    private final Map<Integer, Point> byServedLayers;
    private final double fullPrecisionPerplexity;

    private CompareQuality(Map<Integer, Point> byServedLayers, double fullPrecisionPerplexity) {
        this.byServedLayers = byServedLayers;
        this.fullPrecisionPerplexity = fullPrecisionPerplexity;
    }

    /** How many quality-model evaluations {@link #measure} does. */
    public static int evaluations(int servedLayers, int qualityLayers) {
        return qualityLayers(servedLayers, servedLayers, qualityLayers) + 1;
    }

    /**
     * @param tokens       evaluation text, tokens[0] = BOS
     * @param qualityOrder the quality model's swap order
     */
    public static CompareQuality measure(ModelRunner runner, LayerVariants variants, int[] tokens, int windowTokens,
            List<Integer> qualityOrder, int servedLayers, Runnable onEvaluation) {
        int qualityLayers = qualityOrder.size();
        int maxSwapped = qualityLayers(servedLayers, servedLayers, qualityLayers);
        var study = new SwapQualityStudy(runner, variants, tokens, windowTokens);
        var curve = new SwapQualityStudy.Curve("served order", List.of(qualityOrder));
        List<SwapQualityStudy.Point> points = study.run(List.of(curve), maxSwapped, onEvaluation).getFirst().points();
        Map<Integer, Point> byServed = new TreeMap<>();
        for (int k = 0; k <= servedLayers; k++) {
            int q = qualityLayers(k, servedLayers, qualityLayers);
            byServed.put(k, new Point(q, points.get(q).meanPerplexity()));
        }
        return new CompareQuality(byServed, points.getFirst().meanPerplexity());
    }

    /** A quality table measured elsewhere (tests): perplexity by served swapped-layer count, mapped one to one. */
    static CompareQuality of(Map<Integer, Double> perplexityByLayers, double fullPrecisionPerplexity) {
        Map<Integer, Point> byServed = new TreeMap<>();
        perplexityByLayers.forEach((k, p) -> byServed.put(k, new Point(k, p)));
        return new CompareQuality(byServed, fullPrecisionPerplexity);
    }

    static int qualityLayers(int servedSwapped, int servedLayers, int qualityLayers) {
        return (int) Math.round(servedSwapped * (double) qualityLayers / servedLayers);
    }

    public Map<Integer, Point> byServedLayers() {
        return byServedLayers;
    }

    public double fullPrecisionPerplexity() {
        return fullPrecisionPerplexity;
    }

    /** Perplexity weighted by the tokens generated at each swapped-layer count; NaN when none were generated. */
    public double weightedPerplexity(Map<Integer, Long> tokensBySwappedLayers) {
        double sum = 0;
        long tokens = 0;
        for (var e : tokensBySwappedLayers.entrySet()) {
            Point p = byServedLayers.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("tokens generated at " + e.getKey() + " swapped layers, but quality was measured for "
                        + byServedLayers.keySet());
            }
            sum += e.getValue() * p.perplexity();
            tokens += e.getValue();
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }
}
