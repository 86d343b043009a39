package dev.morphserve.engine;

/**
 * How to pick the next token. Temperature 0 means greedy (argmax, ties to the lowest id).
 *
 * @param topK              keep the k most likely tokens; 0 keeps all
 * @param topP              keep the smallest set whose probability reaches p; 1 keeps all
 * @param minP              drop tokens less likely than minP times the most likely one; 0 keeps all
 * @param seed              seeds this request's random stream, so a request is reproducible on its own
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens seen in the
 *                          prompt or output (CTRL / HF semantics); 1 is off
 * @param frequencyPenalty  subtracted once per occurrence of a token in the output (OpenAI)
 * @param presencePenalty   subtracted once from every token present in the output (OpenAI)
 * @param logitBias         added to the logits after the penalties, before sampling or argmax
 * @param logprobs          -1: report no logprobs; k in [0, 20]: report each sampled token's logprob
 *                          and the k most likely alternatives (see {@link Logprobs})
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        long seed,
        float repetitionPenalty,
        float frequencyPenalty,
        float presencePenalty,
        LogitBias logitBias,
        int logprobs) {

    public SamplingParams {
        check(temperature >= 0f && Float.isFinite(temperature), "temperature must be a finite number >= 0, got " + temperature);
        check(topK >= 0, "top_k must be >= 0, got " + topK);
        check(topP > 0f && topP <= 1f, "top_p must be in (0, 1], got " + topP);
        check(minP >= 0f && minP <= 1f, "min_p must be in [0, 1], got " + minP);
        check(repetitionPenalty > 0f && Float.isFinite(repetitionPenalty), "repetition_penalty must be > 0, got " + repetitionPenalty);
        check(frequencyPenalty >= -2f && frequencyPenalty <= 2f, "frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        check(presencePenalty >= -2f && presencePenalty <= 2f, "presence_penalty must be in [-2, 2], got " + presencePenalty);
        java.util.Objects.requireNonNull(logitBias, "logitBias");
        check(logprobs >= -1 && logprobs <= Logprobs.MAX_TOP, "logprobs must be -1 (off) or in [0, 20], got " + logprobs);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Sampling without logit bias or logprobs. */
    public SamplingParams(float temperature, int topK, float topP, float minP, long seed, float repetitionPenalty,
            float frequencyPenalty, float presencePenalty) {
        this(temperature, topK, topP, minP, seed, repetitionPenalty, frequencyPenalty, presencePenalty, LogitBias.NONE, -1);
    }

    /** Sampling without penalties. */
    public SamplingParams(float temperature, int topK, float topP, float minP, long seed) {
        this(temperature, topK, topP, minP, seed, 1f, 0f, 0f);
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** The same settings with another seed (the sequences of an n > 1 request: seed, seed + 1, ...). */
    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, newSeed, repetitionPenalty, frequencyPenalty, presencePenalty,
                logitBias, logprobs);
    }

    public boolean wantsLogprobs() {
        return logprobs >= 0;
    }

    public boolean hasPenalties() {
        return repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }
}
