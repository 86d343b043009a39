package dev.morphserve.morph;

import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.Perplexity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Perplexity as a function of how many layers run in low precision, for several swap orders: the
 * experiment that says whether the LIS order is worth measuring. Each distinct set of swapped
 * layers is evaluated once (every order shares k = 0, and k = L is the same set for all).
 */
public final class SwapQualityStudy {
    private final ModelRunner runner;
    private final LayerVariants variants;
    private final int[] tokens;
    private final int windowTokens;

    /** One line of the plot; several orders (random seeds) are averaged point by point. */
    public record Curve(String name, List<List<Integer>> orders) {
        public Curve {
            orders = orders.stream().map(List::copyOf).toList();
        }
    }

    /** Perplexity with {@code swapped} layers: mean over the curve's orders, and their range. */
    public record Point(int swapped, double meanPerplexity, double minPerplexity, double maxPerplexity) {}

    public record CurveResult(Curve curve, List<Point> points) {}

    /**
     * @param tokens       evaluation text, tokens[0] = BOS
     * @param windowTokens tokens scored per perplexity window
     */
    public SwapQualityStudy(ModelRunner runner, LayerVariants variants, int[] tokens, int windowTokens) {
        this.runner = runner;
        this.variants = variants;
        this.tokens = tokens;
        this.windowTokens = windowTokens;
    }

    /** Perplexity evaluations {@link #run} will do (distinct swapped sets). */
    public static int evaluations(List<Curve> curves, int maxSwapped) {
        return distinctSets(curves, maxSwapped).size();
    }

    /** @param onEvaluation called after each perplexity evaluation (progress) */
    public List<CurveResult> run(List<Curve> curves, int maxSwapped, Runnable onEvaluation) {
        Map<Set<Integer>, Double> perplexity = new HashMap<>();
        try (SwapSession session = new SwapSession(runner, variants)) {
            for (Set<Integer> set : distinctSets(curves, maxSwapped)) {
                session.swapExactly(set);
                perplexity.put(set, new Perplexity(runner).evaluate(tokens, windowTokens, n -> {}).perplexity());
                onEvaluation.run();
            }
        }
        List<CurveResult> results = new ArrayList<>();
        for (Curve curve : curves) {
            List<Point> points = new ArrayList<>();
            for (int k = 0; k <= maxSwapped; k++) {
                double sum = 0;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (List<Integer> order : curve.orders()) {
                    double p = perplexity.get(prefix(order, k));
                    sum += p;
                    min = Math.min(min, p);
                    max = Math.max(max, p);
                }
                points.add(new Point(k, sum / curve.orders().size(), min, max));
            }
            results.add(new CurveResult(curve, points));
        }
        return results;
    }

    private static Set<Set<Integer>> distinctSets(List<Curve> curves, int maxSwapped) {
        Set<Set<Integer>> sets = new LinkedHashSet<>();
        for (Curve curve : curves) {
            if (curve.orders().isEmpty()) {
                throw new IllegalArgumentException("curve " + curve.name() + " has no swap order");
            }
            for (List<Integer> order : curve.orders()) {
                if (maxSwapped > order.size()) {
                    throw new IllegalArgumentException("cannot swap " + maxSwapped + " layers of " + order.size());
                }
                for (int k = 0; k <= maxSwapped; k++) {
                    sets.add(prefix(order, k));
                }
            }
        }
        return sets;
    }

    private static Set<Integer> prefix(List<Integer> order, int k) {
        return new TreeSet<>(order.subList(0, k));
    }
}
