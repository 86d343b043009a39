package dev.morphserve.engine;

import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.tokenizer.Vocabulary;
import java.util.function.IntConsumer;

/**
 * Generates one sequence at a time: the prompt in one batched prefill step, then one decode step
 * per token. What the CLI and the golden tests use; the server batches many sequences instead.
 * Stops at an end-of-generation token (EOS, EOT, EOM), and at BOS as llama2.c does.
 */
public final class SequenceGenerator {
    private final ModelRunner runner;
    private final Vocabulary vocabulary;

    public SequenceGenerator(ModelRunner runner, Vocabulary vocabulary) {
        this.runner = runner;
        this.vocabulary = vocabulary;
    }

    public record Result(int[] tokens, FinishReason finishReason, int promptTokens, long prefillNanos, long decodeNanos) {}

    public Result generate(int[] prompt, int maxNewTokens, SamplingParams params, IntConsumer onToken) {
        int context = runner.config().contextLength();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (prompt.length >= context) {
            throw new IllegalArgumentException(
                    "the prompt has " + prompt.length + " tokens; the model's context is " + context);
        }
        int budget = Math.min(maxNewTokens, context - prompt.length + 1);
        Sampler sampler = new Sampler(params);
        int[] generated = new int[budget];
        int count = 0;
        FinishReason reason = FinishReason.LENGTH;
        try (SequenceKv cache = runner.sequenceKv(context)) {
            long start = System.nanoTime();
            float[] logits = runner.forward(ForwardBatch.ofSequence(prompt, 0, cache.table(), false), cache.cache());
            long prefillNanos = System.nanoTime() - start;
            int position = prompt.length;
            while (count < budget) {
                int next = sampler.sample(logits, 0, runner.config().vocabSize());
                if (vocabulary.isEndOfGeneration(next) || next == vocabulary.bosId()) {
                    reason = FinishReason.STOP;
                    break;
                }
                generated[count++] = next;
                onToken.accept(next);
                if (count == budget || position >= context) {
                    break;
                }
                logits = runner.forward(ForwardBatch.ofSequence(new int[] {next}, position++, cache.table(), false), cache.cache());
            }
            long decodeNanos = System.nanoTime() - start - prefillNanos;
            return new Result(java.util.Arrays.copyOf(generated, count), reason, prompt.length, prefillNanos, decodeNanos);
        }
    }
}
