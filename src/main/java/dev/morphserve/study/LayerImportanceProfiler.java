package dev.morphserve.study;

import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.LayerScore;
import dev.morphserve.morph.LayerVariants;

import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures every layer's importance on calibration text and orders the layers for swapping
 * (paper Eq. 5, DESIGN §5). All scores are token-averaged cosines of residual-stream states read
 * through the runner's hidden-state observer:
 *
 * <pre>
 * LTS_p  cos(h_{p-1}, h_p)                       base model, one pass per window
 * LRS_p  cos(h_p base, h_p with only p swapped)   layers before p unchanged, so same input
 * MDS_p  cos(final with S swapped, final with S + {p} swapped), S = layers picked so far (Algorithm 1)
 *        or cos(final base, final with S + {p} swapped)      ({@link MdsReference#FULL_PRECISION})
 * </pre>
 *
 * "Final" is the last layer's output scaled by the output norm's gain, i.e. what the output head
 * sees up to the per-token RMS factor, which a cosine ignores (HF's last hidden state).
 *
 * <p>Cost: windows * (1 + L + L(L-1)/2) forward passes, plus windows * (L - 1) for the reference
 * passes of Algorithm 1 (one per window in every round after the first): the first round's MDS comes for free from the LRS passes (only p swapped), and
 * round r scores the L - r layers not yet picked.
 */
public final class LayerImportanceProfiler {
    private final ModelRunner runner;
    private final LayerVariants variants;
    private final MdsReference reference;
    private final Runnable onPass;

    /** @param onPass called after every forward pass (progress) */
    public LayerImportanceProfiler(ModelRunner runner, LayerVariants variants, MdsReference reference, Runnable onPass) {
        this.runner = runner;
        this.variants = variants;
        this.reference = reference;
        this.onPass = onPass;
    }

    /** Forward passes a profile of {@code windows} windows on {@code layers} layers runs. */
    public static long forwardPasses(int windows, int layers, MdsReference reference) {
        long referencePasses = reference == MdsReference.CHOSEN_SWAPPED ? Math.max(0, layers - 1) : 0;
        return (long) windows * (1 + layers + (long) layers * (layers - 1) / 2 + referencePasses);
    }

    /** Scores per layer (layer order) and the greedy swap order. */
    public record Scores(List<LayerScore> byLayer, List<Integer> swapOrder, long calibrationTokens) {}

    /** Profiles and packages the result as the file format that serving reads. */
    public LayerProfile profile(CalibrationWindows windows, String modelFile, String calibrationSource) {
        Scores scores = profile(windows);
        return new LayerProfile(modelFile, variants.lowType().name(), scores.calibrationTokens(), calibrationSource,
                scores.byLayer(), scores.swapOrder(), reference.wireName());
    }

    public Scores profile(CalibrationWindows windows) {
        int layers = runner.config().numLayers();
        int dim = runner.config().dim();
        float[] outputGain = runner.weights().outputNorm();
        CosineMean[] lts = means(layers);
        CosineMean[] lrs = means(layers);
        CosineMean[] mdsAlone = means(layers);
        List<float[]> baseFinal = new ArrayList<>();
        try (SwapSession session = new SwapSession(runner, variants);
                SequenceKv kv = runner.sequenceKv(windows.maxWindowTokens())) {
            for (int[] input : windows.inputs()) {
                int n = input.length;
                session.swapExactly(List.of());
                float[][] base = run(input, kv, allLayers(layers));
                baseFinal.add(base[layers]);
                for (int p = 0; p < layers; p++) {
                    lts[p].add(base[p], base[p + 1], n, dim, null);
                    session.swapExactly(List.of(p));
                    float[][] swapped = run(input, kv, new int[] {p, layers - 1});
                    lrs[p].add(base[p + 1], swapped[p + 1], n, dim, null);
                    mdsAlone[p].add(base[layers], swapped[layers], n, dim, outputGain);
                }
            }
            GreedySwapOrder.MdsScorer scorer = (swappedSet, candidates) -> swappedSet.isEmpty()
                    ? candidates.stream().mapToDouble(c -> mdsAlone[c].mean()).toArray()
                    : mds(session, kv, windows, baseFinal, swappedSet, candidates, outputGain);
            List<LayerScore> picks = GreedySwapOrder.order(meansOf(lts), meansOf(lrs), scorer);
            List<LayerScore> byLayer = new ArrayList<>(picks);
            byLayer.sort((a, b) -> Integer.compare(a.layer(), b.layer()));
            return new Scores(byLayer, picks.stream().map(LayerScore::layer).toList(), windows.totalTokens());
        }
    }

    private double[] mds(SwapSession session, SequenceKv kv, CalibrationWindows windows, List<float[]> baseFinal,
            List<Integer> swappedSet, List<Integer> candidates, float[] outputGain) {
        int layers = runner.config().numLayers();
        int dim = runner.config().dim();
        CosineMean[] mds = means(candidates.size());
        for (int w = 0; w < windows.inputs().size(); w++) {
            int[] input = windows.inputs().get(w);
            float[] referenceFinal = baseFinal.get(w);
            if (reference == MdsReference.CHOSEN_SWAPPED) {
                session.swapExactly(swappedSet);
                referenceFinal = run(input, kv, new int[] {layers - 1})[layers];
            }
            for (int c = 0; c < candidates.size(); c++) {
                List<Integer> set = new ArrayList<>(swappedSet);
                set.add(candidates.get(c));
                session.swapExactly(set);
                float[][] hidden = run(input, kv, new int[] {layers - 1});
                mds[c].add(referenceFinal, hidden[layers], input.length, dim, outputGain);
            }
        }
        session.swapExactly(List.of());
        return meansOf(mds);
    }

    /**
     * One prefill pass over {@code input}; returns copies of the residual stream, index layer + 1
     * (0 = embeddings), for the layers in {@code keep} (and always the embeddings), null elsewhere.
     */
    private float[][] run(int[] input, SequenceKv kv, int[] keep) {
        int layers = runner.config().numLayers();
        int dim = runner.config().dim();
        boolean[] wanted = new boolean[layers];
        for (int layer : keep) {
            wanted[layer] = true;
        }
        float[][] hidden = new float[layers + 1][];
        runner.forward(ForwardBatch.ofSequence(input, 0, kv.table(), false), kv.cache(), (layer, h, numTokens) -> {
            if (layer < 0 || wanted[layer]) {
                hidden[layer + 1] = Arrays.copyOf(h, numTokens * dim);
            }
        });
        onPass.run();
        return hidden;
    }

    private static int[] allLayers(int layers) {
        int[] all = new int[layers];
        Arrays.setAll(all, i -> i);
        return all;
    }

    private static CosineMean[] means(int n) {
        CosineMean[] means = new CosineMean[n];
        Arrays.setAll(means, i -> new CosineMean());
        return means;
    }

    private static double[] meansOf(CosineMean[] means) {
        return Arrays.stream(means).mapToDouble(CosineMean::mean).toArray();
    }
}
