package dev.morphserve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One load run against a server: sends the mapped requests on their schedule, samples the server's
 * morph state meanwhile, and computes the serving metrics. Shared by {@code bench serve} (one run)
 * and {@code bench compare} (one run per configuration).
 */
public final class ServeBenchmark {
    private ServeBenchmark() {}

    /** @param maxConcurrency cap on requests in flight, 0 for a pure open loop */
    public record Settings(URI url, String modelName, PromptFactory prompts, SloTargets slo, int maxConcurrency,
            Duration requestTimeout) {}

    public static BenchReport run(HttpClient http, BenchConfig config, LengthMapping mapping, Settings settings,
            Consumer<RequestRecord> onFinished) throws InterruptedException {
        CompletionClient client = new CompletionClient(http, settings.url(), settings.modelName(), settings.prompts(),
                settings.requestTimeout());
        LoadRunner.RunResult result;
        List<ServerStateSampler.ServerSample> serverState;
        try (ServerStateSampler sampler = new ServerStateSampler(http, settings.url(), Duration.ofMillis(500))) {
            result = new LoadRunner(client, settings.maxConcurrency(), onFinished).run(mapping.requests());
            serverState = sampler.samples();
        }
        return new BenchReport(config, mapping, MetricsCalculator.compute(result.records(), result.durationMs(), settings.slo()),
                result.records(), serverState);
    }
}
