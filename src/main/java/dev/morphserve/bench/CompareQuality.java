package dev.morphserve.bench;

import dev.morphserve.model.ModelRunner;
import dev.morphserve.study.AgreementSettings;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.study.SwapQualityStudy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quality of each swapped-layer count a comparison saw, and each configuration's quality as the
 * tokens it generated saw it: {@code sum_k tokens_k * quality_k / sum_k tokens_k}, for perplexity
 * and for greedy agreement with full precision (the share of greedy tokens that stay the same).
 *
 * <p>Quality is measured on a quality model, by default the served one. When it has another number
 * of layers (a trained proxy for a synthetic served model), k served layers out of L stand for the
 * same share of its L' layers, f = k * L' / L, swapped in its own order; a fractional f takes the
 * perplexity and agreement interpolated linearly between floor(f) and ceil(f) swapped layers
 * (rounding would call one swapped layer of twelve free on a five-layer proxy).
 */
public final class CompareQuality {
    /**
     * Quality with {@code qualityLayers} (possibly fractional, see above) of the quality model's layers
     * swapped; {@code agreement} (0..1) is NaN when it was not measured.
     */
    public record Point(double qualityLayers, double perplexity, double agreement) {}

    private final Map<Integer, Point> byServedLayers;
    private final double fullPrecisionPerplexity;

    private CompareQuality(Map<Integer, Point> byServedLayers, double fullPrecisionPerplexity) {
        this.byServedLayers = byServedLayers;
        this.fullPrecisionPerplexity = fullPrecisionPerplexity;
    }

    /** How many quality-model evaluations {@link #measure} does: every whole count 0..L'. */
    public static int evaluations(int qualityLayers) {
        return qualityLayers + 1;
    }

    /**
     * @param tokens       evaluation text, tokens[0] = BOS
     * @param qualityOrder the quality model's swap order
     */
    public static CompareQuality measure(ModelRunner runner, LayerVariants variants, int[] tokens, int windowTokens,
            AgreementSettings agreement, List<Integer> qualityOrder, int servedLayers, Runnable onEvaluation) {
        int qualityLayers = qualityOrder.size();
        var study = new SwapQualityStudy(runner, variants, tokens, windowTokens, agreement);
        List<SwapQualityStudy.Quality> points = study.alongOrder(qualityOrder, qualityLayers, onEvaluation);
        Map<Integer, Point> byServed = new TreeMap<>();
        for (int k = 0; k <= servedLayers; k++) {
            double f = qualityLayers(k, servedLayers, qualityLayers);
            var lo = points.get((int) Math.floor(f));
            var hi = points.get((int) Math.ceil(f));
            double w = f - Math.floor(f);
            byServed.put(k, new Point(f, lo.perplexity() + w * (hi.perplexity() - lo.perplexity()),
                    lo.agreement() + w * (hi.agreement() - lo.agreement())));
        }
        return new CompareQuality(byServed, points.getFirst().perplexity());
    }

    /** A quality table measured elsewhere (tests): perplexity by served swapped-layer count, mapped one to one. */
    static CompareQuality of(Map<Integer, Double> perplexityByLayers, double fullPrecisionPerplexity) {
        Map<Integer, Point> byServed = new TreeMap<>();
        perplexityByLayers.forEach((k, p) -> byServed.put(k, new Point(k, p, Double.NaN)));
        return new CompareQuality(byServed, fullPrecisionPerplexity);
    }

    static double qualityLayers(int servedSwapped, int servedLayers, int qualityLayers) {
        return servedSwapped * (double) qualityLayers / servedLayers;
    }

    public Map<Integer, Point> byServedLayers() {
        return byServedLayers;
    }

    public double fullPrecisionPerplexity() {
        return fullPrecisionPerplexity;
    }

    /** Perplexity weighted by the tokens generated at each swapped-layer count; NaN when none were generated. */
    public double weightedPerplexity(Map<Integer, Long> tokensBySwappedLayers) {
        return weighted(tokensBySwappedLayers, Point::perplexity);
    }

    /** Greedy agreement with full precision, weighted the same way; NaN when not measured. */
    public double weightedAgreement(Map<Integer, Long> tokensBySwappedLayers) {
        return weighted(tokensBySwappedLayers, Point::agreement);
    }

    private double weighted(Map<Integer, Long> tokensBySwappedLayers, java.util.function.ToDoubleFunction<Point> quality) {
        double sum = 0;
        long tokens = 0;
        for (var e : tokensBySwappedLayers.entrySet()) {
            Point p = byServedLayers.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("tokens generated at " + e.getKey() + " swapped layers, but quality was measured for "
                        + byServedLayers.keySet());
            }
            sum += e.getValue() * quality.applyAsDouble(p);
            tokens += e.getValue();
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }
}
