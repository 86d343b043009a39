package dev.morphserve.cli;

import dev.morphserve.bench.AzureTraceWorkload;
import dev.morphserve.bench.BenchConfig;
import dev.morphserve.bench.BenchReport;
import dev.morphserve.bench.CompletionClient;
import dev.morphserve.bench.LengthMapper;
import dev.morphserve.bench.LengthMapping;
import dev.morphserve.bench.LengthRange;
import dev.morphserve.bench.LoadRunner;
import dev.morphserve.bench.MarkdownReport;
import dev.morphserve.bench.MetricsCalculator;
import dev.morphserve.bench.MooncakeTraceWorkload;
import dev.morphserve.bench.PromptFactory;
import dev.morphserve.bench.ServerInfo;
import dev.morphserve.bench.ServerStateSampler;
import dev.morphserve.bench.SloTargets;
import dev.morphserve.bench.SyntheticWorkload;
import dev.morphserve.bench.TimedRequest;
import dev.morphserve.bench.TraceWindow;
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
import picocli.CommandLine.ITypeConverter;
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
    enum WorkloadKind { SYNTHETIC, AZURE, MOONCAKE }

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "Server root; requests go to {url}/v1/completions.")
    URI url;

    @Option(names = "--model-name", paramLabel = "NAME",
            description = "Sent as 'model'. Default: the first model of GET /v1/models, if any.")
    String modelName;

    @Option(names = "--workload", paramLabel = "KIND", converter = WorkloadKindConverter.class,
            description = "synthetic, azure or mooncake. Default: from --trace's extension (.csv azure, .jsonl mooncake), else synthetic.")
    WorkloadKind workload;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Trace file for azure/mooncake, e.g. ../shared/traces/AzureLLMInferenceTrace_conv.csv.")
    Path trace;

    @Option(names = "--window-start", paramLabel = "S", defaultValue = "0",
            description = "Trace window start, seconds after the first row (default ${DEFAULT-VALUE}).")
    double windowStartS;

    @Option(names = "--window-seconds", paramLabel = "S", defaultValue = "inf", converter = InfDoubleConverter.class,
            description = "Trace window length in trace seconds (default: to the end).")
    double windowSeconds;

    @Option(names = "--speedup", paramLabel = "X", defaultValue = "1",
            description = "Divide trace inter-arrival times by this (default ${DEFAULT-VALUE}).")
    double speedup;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "inf", converter = InfDoubleConverter.class,
            description = "Synthetic arrival rate, requests/s; inf sends all at once (default ${DEFAULT-VALUE}).")
    double ratePerS;

    @Option(names = "--burstiness", paramLabel = "B", defaultValue = "1",
            description = "Gamma shape of synthetic gaps: 1 Poisson, <1 burstier (default ${DEFAULT-VALUE}).")
    double burstiness;

    @Option(names = "--num-requests", paramLabel = "N", defaultValue = "100",
            description = "Synthetic requests (default ${DEFAULT-VALUE}).")
    int numRequests;

    @Option(names = "--prompt-tokens", paramLabel = "N|MIN:MAX", defaultValue = "256", converter = LengthRangeConverter.class,
            description = "Synthetic prompt length N or uniform range MIN:MAX (default ${DEFAULT-VALUE}).")
    LengthRange promptTokens;

    @Option(names = "--output-tokens", paramLabel = "N|MIN:MAX", defaultValue = "128", converter = LengthRangeConverter.class,
            description = "Synthetic output length N or MIN:MAX (default ${DEFAULT-VALUE}).")
    LengthRange outputTokens;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Seed of arrivals, lengths and prompt token ids (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--context", paramLabel = "TOKENS",
            description = "Model context in tokens. Default: what the server reports, else 2048.")
    Integer contextTokens;

    @Option(names = "--length-mapping", paramLabel = "clip|scale", defaultValue = "scale", converter = MappingModeConverter.class,
            description = "clip: clip lengths that do not fit; scale: one factor so the p99 of prompt+output fits, then clip (default ${DEFAULT-VALUE}).")
    LengthMapper.Mode lengthMapping;

    @Option(names = "--vocab-min", paramLabel = "ID", defaultValue = "300",
            description = "Smallest random prompt token id (default ${DEFAULT-VALUE}).")
    int vocabMin;

    @Option(names = "--vocab-max", paramLabel = "ID", defaultValue = "500",
            description = "Largest random prompt token id, inclusive (default ${DEFAULT-VALUE}).")
    int vocabMax;

    @Option(names = "--max-concurrency", paramLabel = "N", description = "Cap on requests in flight (default: none, pure open loop).")
    Integer maxConcurrency;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS", defaultValue = "2000",
            description = "TTFT objective for goodput (default ${DEFAULT-VALUE}).")
    double sloTtftMs;

    @Option(names = "--slo-tpot-ms", paramLabel = "MS", description = "TPOT objective for goodput (default: none).")
    Double sloTpotMs;

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
            slo = new SloTargets(sloTtftMs, sloTpotMs);
            source = workload();
            prompts = new PromptFactory(vocabMin, vocabMax, seed);
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
            mapping = LengthMapper.map(raw, context, lengthMapping);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        err.printf("%s%nlength mapping: %s (context from %s)%n", source.describe(), mapping.describe(), contextSource);
        err.flush();

        BenchConfig config = new BenchConfig(url.toString(), model, source.describe(), context, contextSource,
                lengthMapping.name().toLowerCase(Locale.ROOT), vocabMin, vocabMax, seed, maxConcurrency, requestTimeoutS,
                Instant.now().toString());
        CompletionClient client = new CompletionClient(http, url, model, prompts, Duration.ofMillis((long) (requestTimeoutS * 1000)));
        LoadRunner.RunResult result;
        List<ServerStateSampler.ServerSample> serverState;
        try (ServerStateSampler sampler = new ServerStateSampler(http, url, Duration.ofMillis(500))) {
            result = run(client, mapping.requests());
            serverState = sampler.samples();
        }

        BenchReport report = new BenchReport(config, mapping, MetricsCalculator.compute(result.records(), result.durationMs(), slo),
                result.records(), serverState);
        out.print(MarkdownReport.render(report));
        out.flush();
        if (outputJson != null) {
            report.writeJson(outputJson);
            err.println("report written to " + outputJson);
            err.flush();
        }
        return 0;
    }

    private LoadRunner.RunResult run(CompletionClient client, List<TimedRequest> requests) throws InterruptedException {
        int cap = maxConcurrency != null ? maxConcurrency : 0;
        if (noProgress) {
            return new LoadRunner(client, cap, r -> {}).run(requests);
        }
        AtomicInteger failed = new AtomicInteger();
        try (ProgressBar bar = Progress.bar("bench serve", requests.size(), "req")) {
            return new LoadRunner(client, cap, r -> {
                if (!r.success()) {
                    bar.setExtraMessage(" failed " + failed.incrementAndGet());
                }
                bar.step();
            }).run(requests);
        }
    }

    private Workload workload() {
        WorkloadKind kind = workload != null ? workload : inferKind();
        TraceWindow window = new TraceWindow(windowStartS, windowSeconds, speedup);
        return switch (kind) {
            case SYNTHETIC -> new SyntheticWorkload(numRequests, ratePerS, burstiness, promptTokens, outputTokens, seed);
            case AZURE -> new AzureTraceWorkload(requireTrace(kind), window);
            case MOONCAKE -> new MooncakeTraceWorkload(requireTrace(kind), window);
        };
    }

    private WorkloadKind inferKind() {
        if (trace == null) {
            return WorkloadKind.SYNTHETIC;
        }
        String name = trace.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return WorkloadKind.AZURE;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return WorkloadKind.MOONCAKE;
        }
        throw new IllegalArgumentException("cannot tell the format of " + trace + " from its name: give --workload azure|mooncake");
    }

    private Path requireTrace(WorkloadKind kind) {
        if (trace == null) {
            throw new IllegalArgumentException("--workload " + kind.name().toLowerCase(Locale.ROOT) + " needs --trace FILE");
        }
        return trace;
    }

    /** Accepts "inf" and "infinity" besides numbers, for the options whose natural default is unbounded. */
    static final class InfDoubleConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            return v.equals("inf") || v.equals("infinity") ? Double.POSITIVE_INFINITY : Double.valueOf(v);
        }
    }

    static final class LengthRangeConverter implements ITypeConverter<LengthRange> {
        @Override
        public LengthRange convert(String value) {
            return LengthRange.parse(value);
        }
    }

    static final class MappingModeConverter implements ITypeConverter<LengthMapper.Mode> {
        @Override
        public LengthMapper.Mode convert(String value) {
            return LengthMapper.Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }

    static final class WorkloadKindConverter implements ITypeConverter<WorkloadKind> {
        @Override
        public WorkloadKind convert(String value) {
            return WorkloadKind.valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }
}
