package dev.morphserve.engine;

import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;

/**
 * Runs a throw-away prefill and a few decode steps before the server takes requests, as llama.cpp
 * does at load: without it the JIT compiles the kernels while the first requests wait, and the first
 * request of a fresh server took 2-3 s more to its first token than the same request later
 * (bench compare, medium F16). Uses a KV cache of its own, so the served pool and its accounting are
 * untouched.
 */
public final class Warmup {
    /** Prompt tokens of the warm-up prefill, capped at half the context. */
    static final int PROMPT_TOKENS = 256;
    /** Decode steps after it. */
    static final int DECODE_STEPS = 32;

    private Warmup() {}

    /** @return the tokens run through the model */
    public static int run(ModelRunner runner) {
        var config = runner.config();
        int promptTokens = Math.max(1, Math.min(PROMPT_TOKENS, config.contextLength() / 2));
        int decodeSteps = Math.max(0, Math.min(DECODE_STEPS, config.contextLength() - promptTokens));
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < promptTokens; i++) {
            prompt[i] = 1 + (i * 7919) % (config.vocabSize() - 1); // any valid ids: only the code paths matter
        }
        try (SequenceKv kv = runner.sequenceKv(promptTokens + decodeSteps)) {
            float[] logits = runner.forward(ForwardBatch.ofSequence(prompt, 0, kv.table(), false), kv.cache());
            for (int step = 0; step < decodeSteps; step++) {
                int token = Sampler.argmax(logits, 0, config.vocabSize());
                logits = runner.forward(ForwardBatch.ofSequence(new int[] {token}, promptTokens + step, kv.table(), false),
                        kv.cache());
            }
        }
        return promptTokens + decodeSteps;
    }
}
