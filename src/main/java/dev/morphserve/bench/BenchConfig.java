package dev.morphserve.bench;

/**
 * How a run was set up, written into the JSON report so that a result file explains itself.
 *
 * @param contextSource where the context length came from: "--context", "server" or "default"
 * @param prompts       how the prompt text was made ({@link PromptFactory#DESCRIPTION})
 */
public record BenchConfig(
        String url,
        String modelName,
        String workload,
        int contextTokens,
        String contextSource,
        String lengthMapping,
        String prompts,
        long seed,
        Integer maxConcurrency,
        double requestTimeoutS,
        String startedAt) {}
