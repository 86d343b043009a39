package dev.morphserve.bench;

/**
 * One request of a workload: when it arrives (milliseconds after the benchmark starts) and how many
 * tokens it sends and asks for. Trace files and synthetic generators both reduce to a list of these.
 */
public record TimedRequest(double arrivalMs, int promptTokens, int outputTokens) {
    public TimedRequest {
        if (!(arrivalMs >= 0) || Double.isInfinite(arrivalMs)) {
            throw new IllegalArgumentException("arrivalMs must be finite and >= 0, got " + arrivalMs);
        }
        if (promptTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, got prompt " + promptTokens + ", output " + outputTokens);
        }
    }

    public TimedRequest withLengths(int prompt, int output) {
        return new TimedRequest(arrivalMs, prompt, output);
    }

    public TimedRequest withArrivalMs(double arrival) {
        return new TimedRequest(arrival, promptTokens, outputTokens);
    }
}
