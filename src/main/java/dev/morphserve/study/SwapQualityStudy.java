package dev.morphserve.study;

import dev.morphserve.morph.LayerVariants;

import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.Perplexity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Quality as a function of how many layers run in low precision, for several swap orders: the
 * experiment that says whether the LIS order is worth measuring. Two measures per set of swapped
 * layers: perplexity of the evaluation text, and (unless turned off) the agreement of greedy
 * continuations with full precision ({@link GreedyAgreement}). Each distinct set is evaluated
 * once (every order shares k = 0, and k = L is the same set for all).
 */
public final class SwapQualityStudy {
    private final ModelRunner runner;
    private final LayerVariants variants;
    private final int[] tokens;
    private final int windowTokens;
    private final AgreementSettings agreementSettings;
    private GreedyAgreement agreement; // reference continuations, made on first use with no layer swapped
    private final Map<Set<Integer>, Quality> quality = new HashMap<>(); // by swapped set, evaluated once

    /** One line of the plot; several orders (random seeds) are averaged point by point. */
    public record Curve(String name, List<List<Integer>> orders) {
        public Curve {
            orders = orders.stream().map(List::copyOf).toList();
        }
    }

    /**
     * The measures of one set of {@code swapped} layers. {@code agreement} is the greedy token
     * match rate (0..1) and {@code meanCommonPrefixTokens} the mean tokens before the first
     * divergence (see {@link TokenAgreement}); both NaN when agreement is off.
     */
    public record Quality(int swapped, double perplexity, double agreement, double meanCommonPrefixTokens) {}

    /**
     * The measures with {@code swapped} layers: mean over the curve's orders, and the range of
     * perplexity and agreement over those orders (agreement fields NaN when it is off).
     */
    public record Point(int swapped, double meanPerplexity, double minPerplexity, double maxPerplexity,
            double meanAgreement, double minAgreement, double maxAgreement, double meanCommonPrefixTokens) {
        static Point of(int swapped, List<Quality> sets) {
            return new Point(swapped,
                    sets.stream().mapToDouble(Quality::perplexity).average().orElseThrow(),
                    sets.stream().mapToDouble(Quality::perplexity).min().orElseThrow(),
                    sets.stream().mapToDouble(Quality::perplexity).max().orElseThrow(),
                    sets.stream().mapToDouble(Quality::agreement).average().orElseThrow(),
                    sets.stream().mapToDouble(Quality::agreement).min().orElseThrow(),
                    sets.stream().mapToDouble(Quality::agreement).max().orElseThrow(),
                    sets.stream().mapToDouble(Quality::meanCommonPrefixTokens).average().orElseThrow());
        }
    }

    public record CurveResult(Curve curve, List<Point> points) {}

    /**
     * @param runner       its layers when the study starts are the full-precision reference
     * @param tokens       evaluation text, tokens[0] = BOS
     * @param windowTokens tokens scored per perplexity window
     * @param agreement    prompts and lengths of the greedy agreement, or {@link AgreementSettings#OFF}
     */
    public SwapQualityStudy(ModelRunner runner, LayerVariants variants, int[] tokens, int windowTokens,
            AgreementSettings agreement) {
        this.runner = runner;
        this.variants = variants;
        this.tokens = tokens;
        this.windowTokens = windowTokens;
        this.agreementSettings = agreement;
    }

    /**
     * Perplexity and agreement with the first k layers of {@code order} swapped, for k = 0..maxSwapped:
     * the entry point for a single order (element k of the result has k layers swapped).
     *
     * @param onEvaluation called after each evaluated set (progress)
     */
    public List<Quality> alongOrder(List<Integer> order, int maxSwapped, Runnable onEvaluation) {
        List<Curve> one = List.of(new Curve("order", List.of(order)));
        evaluate(distinctSets(one, maxSwapped), onEvaluation);
        List<Quality> result = new ArrayList<>();
        for (int k = 0; k <= maxSwapped; k++) {
            result.add(quality.get(prefix(order, k)));
        }
        return result;
    }

    /** Largest layer count for which {@link #oracle} enumerates every subset. */
    public static final int ORACLE_MAX_LAYERS = 12;

    /** Evaluations {@link #run} (and {@link #oracle} when asked) will do: distinct swapped sets. */
    public static int evaluations(List<Curve> curves, int maxSwapped, int oracleLayers) {
        Set<Set<Integer>> sets = distinctSets(curves, maxSwapped);
        if (oracleLayers > 0) {
            sets.addAll(subsets(oracleLayers, maxSwapped));
        }
        return sets.size();
    }

    /** @param onEvaluation called after each evaluated set (progress) */
    public List<CurveResult> run(List<Curve> curves, int maxSwapped, Runnable onEvaluation) {
        evaluate(distinctSets(curves, maxSwapped), onEvaluation);
        List<CurveResult> results = new ArrayList<>();
        for (Curve curve : curves) {
            List<Point> points = new ArrayList<>();
            for (int k = 0; k <= maxSwapped; k++) {
                final int size = k;
                points.add(Point.of(k, curve.orders().stream().map(order -> quality.get(prefix(order, size))).toList()));
            }
            results.add(new CurveResult(curve, points));
        }
        return results;
    }

    /**
     * The best and the worst set of k swapped layers for every k, found by evaluating all subsets:
     * the bound any order can reach, feasible for small models only. Sets are ranked by perplexity;
     * their agreement is reported as measured, not optimized.
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
            Comparator<Set<Integer>> byPerplexity = Comparator.comparingDouble(set -> quality.get(set).perplexity());
            Set<Integer> lo = ofSize.stream().min(byPerplexity).orElseThrow();
            Set<Integer> hi = ofSize.stream().max(byPerplexity).orElseThrow();
            best.add(List.copyOf(lo));
            worst.add(List.copyOf(hi));
            bestPoints.add(Point.of(k, List.of(quality.get(lo))));
            worstPoints.add(Point.of(k, List.of(quality.get(hi))));
        }
        return List.of(new CurveResult(new Curve("best subset (oracle)", best), bestPoints),
                new CurveResult(new Curve("worst subset (oracle)", worst), worstPoints));
    }

    private void evaluate(Set<Set<Integer>> sets, Runnable onEvaluation) {
        try (SwapSession session = new SwapSession(runner, variants)) {
            if (agreement == null && agreementSettings.enabled()) {
                session.swapExactly(List.of()); // the reference is full precision whatever was swapped before
                agreement = new GreedyAgreement(runner, tokens, agreementSettings);
            }
            for (Set<Integer> set : sets) {
                if (!quality.containsKey(set)) {
                    session.swapExactly(set);
                    quality.put(set, measure(set.size()));
                    onEvaluation.run();
                }
            }
        }
    }

    private Quality measure(int swapped) {
        double perplexity = new Perplexity(runner).evaluate(tokens, windowTokens, n -> {}).perplexity();
        if (agreement == null) {
            return new Quality(swapped, perplexity, Double.NaN, Double.NaN);
        }
        TokenAgreement a = agreement.measure();
        return new Quality(swapped, perplexity, a.matchRate(), a.meanCommonPrefixTokens());
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
