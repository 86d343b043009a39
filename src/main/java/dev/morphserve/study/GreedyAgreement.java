package dev.morphserve.study;

import dev.morphserve.engine.Sampler;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Agreement of greedy continuations with full precision: a quality measure closer to what a user
 * sees than perplexity. The reference continuations are generated once, with the runner's layers
 * as they are at construction; {@link #measure} generates again with whatever layers the runner
 * has then and compares ({@link TokenAgreement} defines the match rate and the common prefix).
 *
 * <p>Protocol: {@link #prompts} cuts P evenly spaced windows of M tokens from the evaluation text,
 * each starting with BOS. Each prompt runs on its own, as one request would: one prefill step,
 * then one decode step per token, N tokens in all. EOS and BOS are ordinary tokens here, so every
 * continuation has exactly N tokens and the rate is always over P x N positions. Greedy means
 * argmax; an exact tie goes to the lowest token id ({@link Sampler#argmax}), so a rerun gives the
 * same tokens.
 */
public final class GreedyAgreement {
    private final ModelRunner runner;
    private final List<int[]> prompts;
    private final int newTokens;
    private final int[][] reference; // [prompt][newTokens]

    /** @param tokens the evaluation text, tokens[0] = BOS */
    public GreedyAgreement(ModelRunner runner, int[] tokens, AgreementSettings settings) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("agreement is off (0 prompts)");
        }
        int context = runner.config().contextLength();
        if (settings.contextTokens() > context) {
            throw new IllegalArgumentException(settings.promptTokens() + " prompt tokens + " + settings.newTokens()
                    + " new tokens do not fit the context of " + context);
        }
        this.runner = runner;
        this.prompts = prompts(tokens, settings.prompts(), settings.promptTokens());
        this.newTokens = settings.newTokens();
        this.reference = continuations();
    }

    /** Agreement of the runner's current layers with the reference. */
    public TokenAgreement measure() {
        return TokenAgreement.of(reference, continuations());
    }

    /** The full-precision continuations, [prompt][token]. */
    public int[][] reference() {
        return Arrays.stream(reference).map(int[]::clone).toArray(int[][]::new);
    }

    public List<int[]> prompts() {
        return prompts;
    }

    /**
     * {@code count} windows of {@code promptTokens} tokens: BOS, then promptTokens - 1 tokens of the
     * text starting at evenly spaced positions from the first token after BOS to the last window
     * that fits (windows overlap when the text is short).
     *
     * @param tokens the evaluation text, tokens[0] = BOS
     */
    public static List<int[]> prompts(int[] tokens, int count, int promptTokens) {
        int textTokens = tokens.length - 1;
        int span = promptTokens - 1; // text tokens per prompt
        if (count < 1 || promptTokens < 1 || textTokens < span) {
            throw new IllegalArgumentException("cannot cut " + count + " prompts of " + promptTokens + " tokens from "
                    + tokens.length + " tokens");
        }
        long room = textTokens - span; // start offsets 0..room are valid
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int start = 1 + (int) (i * room / count);
            int[] prompt = new int[promptTokens];
            prompt[0] = tokens[0];
            System.arraycopy(tokens, start, prompt, 1, span);
            prompts.add(prompt);
        }
        return List.copyOf(prompts);
    }

    private int[][] continuations() {
        int vocab = runner.config().vocabSize();
        int[][] out = new int[prompts.size()][newTokens];
        int positions = prompts.getFirst().length + newTokens - 1;
        try (SequenceKv cache = runner.sequenceKv(positions)) {
            for (int p = 0; p < prompts.size(); p++) {
                // a new prompt overwrites positions from 0 and attends only to positions below its own
                int[] prompt = prompts.get(p);
                float[] logits = runner.forward(ForwardBatch.ofSequence(prompt, 0, cache.table(), false), cache.cache());
                for (int j = 0; j < newTokens; j++) {
                    out[p][j] = Sampler.argmax(logits, 0, vocab);
                    if (j + 1 < newTokens) {
                        logits = runner.forward(ForwardBatch.ofSequence(new int[] {out[p][j]}, prompt.length + j,
                                cache.table(), false), cache.cache());
                    }
                }
            }
        }
        return out;
    }
}
