package dev.morphserve.engine;

/**
 * How to pick the next token. Temperature 0 means greedy (argmax, ties to the lowest id).
 *
 * @param topK  keep the k most likely tokens; 0 keeps all
 * @param topP  keep the smallest set whose probability reaches p; 1 keeps all
 * @param minP  drop tokens less likely than minP times the most likely one; 0 keeps all
 * @param seed  seeds this request's random stream, so a request is reproducible on its own
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, long seed) {
    public SamplingParams {
        if (!(temperature >= 0f) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        }
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
