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
    private final Map<Set<Integer>, Double> perplexity = new HashMap<>(); // by swapped set, evaluated once

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

    /** Largest layer count for which {@link #oracle} enumerates every subset. */
    public static final int ORACLE_MAX_LAYERS = 12;

    /** Perplexity evaluations {@link #run} (and {@link #oracle} when asked) will do: distinct swapped sets. */
    public static int evaluations(List<Curve> curves, int maxSwapped, int oracleLayers) {
        Set<Set<Integer>> sets = distinctSets(curves, maxSwapped);
        if (oracleLayers > 0) {
            sets.addAll(subsets(oracleLayers, maxSwapped));
        }
        return sets.size();
    }

    /** @param onEvaluation called after each perplexity evaluation (progress) */
    public List<CurveResult> run(List<Curve> curves, int maxSwapped, Runnable onEvaluation) {
        evaluate(distinctSets(curves, maxSwapped), onEvaluation);
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

    /**
     * The best and the worst set of k swapped layers for every k, found by evaluating all subsets:
     * the bound any order can reach, feasible for small models only.
     *
     * @return two curves, "best subset" and "worst subset"; their orders list the set chosen per k
     */
    public List<CurveResult> oracle(int numLayers, int maxSwapped, Runnable onEvaluation) {
        if (numLayers > ORACLE_MAX_LAYERS) {
            throw new IllegalArgumentException("the oracle enumerates 2^" + numLayers + " layer sets; at most "
                    + ORACLE_MAX_LAYERS + " layers");
        }
        Set<Set<Integer>> all = subsets(numLayers, maxSwapped);
        evaluate(all, onEvaluation);
        List<List<Integer>> best = new ArrayList<>();
        List<List<Integer>> worst = new ArrayList<>();
        List<Point> bestPoints = new ArrayList<>();
        List<Point> worstPoints = new ArrayList<>();
        for (int k = 0; k <= maxSwapped; k++) {
            final int size = k;
            List<Set<Integer>> ofSize = all.stream().filter(set -> set.size() == size).toList();
            Set<Integer> lo = ofSize.stream().min((a, b) -> Double.compare(perplexity.get(a), perplexity.get(b))).orElseThrow();
            Set<Integer> hi = ofSize.stream().max((a, b) -> Double.compare(perplexity.get(a), perplexity.get(b))).orElseThrow();
            best.add(List.copyOf(lo));
            worst.add(List.copyOf(hi));
            bestPoints.add(new Point(k, perplexity.get(lo), perplexity.get(lo), perplexity.get(lo)));
            worstPoints.add(new Point(k, perplexity.get(hi), perplexity.get(hi), perplexity.get(hi)));
        }
        return List.of(new CurveResult(new Curve("best subset (oracle)", best), bestPoints),
                new CurveResult(new Curve("worst subset (oracle)", worst), worstPoints));
    }

    private void evaluate(Set<Set<Integer>> sets, Runnable onEvaluation) {
        try (SwapSession session = new SwapSession(runner, variants)) {
            for (Set<Integer> set : sets) {
                if (!perplexity.containsKey(set)) {
                    session.swapExactly(set);
                    perplexity.put(set, new Perplexity(runner).evaluate(tokens, windowTokens, n -> {}).perplexity());
                    onEvaluation.run();
                }
            }
        }
    }

    /** Every set of at most {@code maxSize} of the layers 0..numLayers-1. */
    private static Set<Set<Integer>> subsets(int numLayers, int maxSize) {
        Set<Set<Integer>> sets = new LinkedHashSet<>();
        for (int mask = 0; mask < 1 << numLayers; mask++) {
            if (Integer.bitCount(mask) <= maxSize) {
                Set<Integer> set = new TreeSet<>();
                for (int layer = 0; layer < numLayers; layer++) {
                    if ((mask & 1 << layer) != 0) {
                        set.add(layer);
                    }
                }
                sets.add(set);
            }
        }
        return sets;
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
