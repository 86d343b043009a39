package dev.morphserve.engine;

/** The engine's scheduling limits (see the server's {@code morphserve.engine.*} configuration for what each means). */
public record EngineSettings(int blockSize, int maxTokensPerStep, int maxRunningRequests, int maxWaitingRequests, long maxWaitingTokens) {
    public EngineSettings {
        if (blockSize < 1 || maxTokensPerStep < 1 || maxRunningRequests < 1 || maxWaitingRequests < 1 || maxWaitingTokens < 1) {
            throw new IllegalArgumentException("morphserve.engine.* limits must all be positive: " + this);
        }
    }
}
