package dev.morphserve.cli;

import dev.morphserve.bench.BenchConfig;
import dev.morphserve.bench.BenchReport;
import dev.morphserve.bench.CompletionClient;
import dev.morphserve.bench.LengthMapper;
import dev.morphserve.bench.LengthMapping;
import dev.morphserve.bench.MarkdownReport;
import dev.morphserve.bench.PromptFactory;
import dev.morphserve.bench.ServeBenchmark;
import dev.morphserve.bench.ServerInfo;
import dev.morphserve.bench.SloTargets;
import dev.morphserve.bench.TimedRequest;
import dev.morphserve.bench.Workload;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench serve}: replays a trace or a synthetic arrival process against any OpenAI-compatible
 * server and reports TTFT, TPOT, ITL, E2E latency, throughput and goodput like vLLM's
 * benchmark_serving. Results go to stdout (Markdown) and optionally to a JSON file; progress to stderr.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay a trace (Azure 2023 CSV, Mooncake JSONL) or synthetic Poisson/gamma load against an "
                + "OpenAI-compatible server; report TTFT, TPOT, ITL, E2E, throughput and goodput.")
public final class BenchServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "Server root; requests go to {url}/v1/completions.")
    URI url;

    @Option(names = "--model-name", paramLabel = "NAME",
            description = "Sent as 'model'. Default: the first model of GET /v1/models, if any.")
    String modelName;

    @Mixin
    WorkloadOptions load;

    @Option(names = "--context", paramLabel = "TOKENS",
            description = "Model context in tokens. Default: what the server reports, else 2048.")
    Integer contextTokens;

    @Option(names = "--max-concurrency", paramLabel = "N", description = "Cap on requests in flight (default: none, pure open loop).")
    Integer maxConcurrency;

    @Option(names = "--request-timeout-s", paramLabel = "S", defaultValue = "600",
            description = "Limit for one whole request, send to end of stream (default ${DEFAULT-VALUE}).")
    double requestTimeoutS;

    @Option(names = "--output-json", paramLabel = "FILE",
            description = "Write the full report (configuration, metrics, every request) here.")
    Path outputJson;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SloTargets slo;
        Workload source;
        PromptFactory prompts;
        try {
            slo = load.slo();
            source = load.workload();
            prompts = load.prompts();
            if (!(requestTimeoutS > 0)) {
                throw new IllegalArgumentException("--request-timeout-s must be > 0, got " + requestTimeoutS);
            }
            if (maxConcurrency != null && maxConcurrency < 1) {
                throw new IllegalArgumentException("--max-concurrency must be >= 1, got " + maxConcurrency);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        HttpClient http = CompletionClient.newHttpClient();
        ServerInfo server = contextTokens == null || modelName == null ? ServerInfo.fetch(http, url) : ServerInfo.UNKNOWN;
        String model = modelName != null ? modelName : server.modelId();
        int context = contextTokens != null ? contextTokens : server.contextTokens() != null ? server.contextTokens() : 2048;
        String contextSource = contextTokens != null ? "--context" : server.contextTokens() != null ? "server" : "default";

        List<TimedRequest> raw = source.requests();
        if (raw.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the workload has no requests (" + source.describe() + ")");
        }
        LengthMapping mapping;
        try {
            mapping = LengthMapper.map(raw, context, load.lengthMapping);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        err.printf("%s%nlength mapping: %s (context from %s)%n", source.describe(), mapping.describe(), contextSource);
        err.flush();

        BenchConfig config = new BenchConfig(url.toString(), model, source.describe(), context, contextSource,
                load.lengthMapping.name().toLowerCase(Locale.ROOT), PromptFactory.DESCRIPTION, load.seed, maxConcurrency, requestTimeoutS,
                Instant.now().toString());
        var settings = new ServeBenchmark.Settings(url, model, prompts, slo, maxConcurrency != null ? maxConcurrency : 0,
                Duration.ofMillis((long) (requestTimeoutS * 1000)));
        BenchReport report = runWithProgress(err, "bench serve", !noProgress, http, config, mapping, settings);
        out.print(MarkdownReport.render(report));
        out.flush();
        if (outputJson != null) {
            report.writeJson(outputJson);
            err.println("report written to " + outputJson);
            err.flush();
        }
        return 0;
    }

    /** One load run, with a progress bar of finished requests (and failures) on stderr when {@code progress}. */
    static BenchReport runWithProgress(PrintWriter err, String label, boolean progress, HttpClient http, BenchConfig config, LengthMapping mapping,
            ServeBenchmark.Settings settings) throws InterruptedException {
        if (!progress) {
            return ServeBenchmark.run(http, config, mapping, settings, r -> {});
        }
        AtomicInteger failed = new AtomicInteger();
        try (ProgressBar bar = Progress.bar(err, label, mapping.requests().size(), "req")) {
            return ServeBenchmark.run(http, config, mapping, settings, r -> {
                if (!r.success()) {
                    bar.setExtraMessage(" failed " + failed.incrementAndGet());
                }
                bar.step();
            });
        }
    }
}
