package dev.morphserve.api;

import dev.morphserve.api.dto.GenerationOptions;
import dev.morphserve.engine.SamplingParams;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place that builds {@link SamplingParams} from a validated request, so that a change of
 * the engine's record touches one line. Defaults follow OpenAI: temperature 1, top_p 1; top_k -1
 * (vLLM's "off") maps to 0. A request without a seed gets a random one, so it is still
 * reproducible from the engine's side.
 */
public final class SamplingMapper {
    private SamplingMapper() {}

    public static SamplingParams from(GenerationOptions o) {
        return from(o, OutputOptions.DEFAULT);
    }

    /** With the logit bias and logprobs that {@link OutputOptionsValidator} checked. */
    public static SamplingParams from(GenerationOptions o, OutputOptions out) {
        float temperature = o.temperature() == null ? 1f : o.temperature().floatValue();
        int topK = o.topK() == null || o.topK() < 0 ? 0 : o.topK();
        float topP = o.topP() == null ? 1f : o.topP().floatValue();
        float minP = o.minP() == null ? 0f : o.minP().floatValue();
        long seed = o.seed() != null ? o.seed() : ThreadLocalRandom.current().nextLong();
        float repetition = o.repetitionPenalty() == null ? 1f : o.repetitionPenalty().floatValue();
        float frequency = o.frequencyPenalty() == null ? 0f : o.frequencyPenalty().floatValue();
        float presence = o.presencePenalty() == null ? 0f : o.presencePenalty().floatValue();
        return new SamplingParams(temperature, topK, topP, minP, seed, repetition, frequency, presence, out.logitBias(), out.logprobs());
    }
}
