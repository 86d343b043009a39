package dev.morphserve.cli;

import dev.morphserve.bench.CompletionClient;
import dev.morphserve.bench.MorphClient;
import dev.morphserve.bench.ServerInfo;
import dev.morphserve.bench.ServerLauncher;
import dev.morphserve.bench.soak.MorphCycler;
import dev.morphserve.bench.soak.Quiescence;
import dev.morphserve.bench.soak.ServerProbe;
import dev.morphserve.bench.soak.SoakClient;
import dev.morphserve.bench.soak.SoakDrift;
import dev.morphserve.bench.soak.SoakLedger;
import dev.morphserve.bench.soak.SoakLoad;
import dev.morphserve.bench.soak.SoakMarkdown;
import dev.morphserve.bench.soak.SoakMix;
import dev.morphserve.bench.soak.SoakOutcome;
import dev.morphserve.bench.soak.SoakPlot;
import dev.morphserve.bench.soak.SoakReport;
import dev.morphserve.bench.soak.SoakSampler;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench soak}: a long run of mixed load with scheduled morphing against a fresh server,
 * watching for what only shows with time: resident memory, threads and latency that creep up,
 * leaked KV blocks, and 5xx answers. Exits 1 when any 5xx came, the server died, or it did not
 * come back to rest afterwards.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mixed load (streamed and whole completions and chats, n=2, logprobs, hang-ups, bad requests) with layers"
                + " swapped down and up on a schedule, for a long time; reports RSS, threads and latency drift (soak.md, soak.json, soak.png).")
public final class BenchSoakCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "GGUF", description = "Model to serve (on a fresh server).")
    Path model;

    @Option(names = {"-c", "--context"}, paramLabel = "TOKENS", description = "Server context length (default: the model's).")
    Integer contextTokens;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "30m", converter = DurationConverter.class,
            description = "How long the load runs, e.g. 30m, 90s (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8", description = "Clients, each with one request in flight (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--morph-every", paramLabel = "TIME", defaultValue = "20s", converter = DurationConverter.class,
            description = "Interval of the morph passes: every layer one level down (or, once all are at the lowest, up) (default ${DEFAULT-VALUE}).")
    Duration morphEvery;

    @Option(names = "--sample-every", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "Interval of the samples of RSS, threads, state and latency (default ${DEFAULT-VALUE}).")
    Duration sampleEvery;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "2", description = "Server worker threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--server-java-opts", paramLabel = "OPTS", defaultValue = "-Xmx1g", description = "JVM options of the server (default ${DEFAULT-VALUE}).")
    String serverJavaOpts;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the request mix (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Where soak.json, soak.md, soak.png and server.log go.")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        validate();
        Files.createDirectories(outputDir);
        PrintWriter err = spec.commandLine().getErr();
        List<String> serveArgs = new ArrayList<>(List.of("--model", model.toString(), "--threads", Integer.toString(threads)));
        if (contextTokens != null) {
            serveArgs.addAll(List.of("--context", contextTokens.toString()));
        }
        SoakReport report;
        try (ServerLauncher server = new ServerLauncher(ServerLauncher.runningJar(), List.of(serverJavaOpts.strip().split("\\s+")), Map.of(),
                serveArgs, outputDir.resolve("server.log"), Duration.ofMinutes(10))) {
            report = soak(server, err);
        }
        report.writeJson(outputDir.resolve("soak.json"));
        String md = SoakMarkdown.render(report);
        Files.writeString(outputDir.resolve("soak.md"), md);
        if (!report.samples().isEmpty()) {
            SoakPlot.write(report.samples(), outputDir.resolve("soak.png"));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(md);
        out.flush();
        String failure = report.failure();
        if (failure != null) {
            err.println("soak failed: " + failure + " (server log: " + outputDir.resolve("server.log") + ")");
            err.flush();
            return 1;
        }
        return 0;
    }

    private void validate() {
        if (!Files.isRegularFile(model)) {
            throw new ParameterException(spec.commandLine(), "--model " + model + " is not a file");
        }
        if (concurrency < 1) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be >= 1, got " + concurrency);
        }
        if (duration.toMillis() < 1000 || sampleEvery.toMillis() < 100 || morphEvery.toMillis() < 100) {
            throw new ParameterException(spec.commandLine(), "--duration must be at least 1s, --sample-every and --morph-every at least 100ms");
        }
        if (sampleEvery.compareTo(duration) > 0) {
            throw new ParameterException(spec.commandLine(), "--sample-every " + sampleEvery + " is longer than --duration " + duration);
        }
    }

    private static long errorLines(Path log) throws IOException {
        try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(" ERROR ")).count();
        } catch (java.io.UncheckedIOException e) {
            return -1; // not UTF-8 throughout: the count is unknown rather than zero
        }
    }

    private SoakReport soak(ServerLauncher server, PrintWriter err) throws IOException, InterruptedException {
        HttpClient http = CompletionClient.newHttpClient();
        ServerInfo info = ServerInfo.fetch(http, server.url());
        int context = contextTokens != null ? contextTokens : info.contextTokens() != null ? info.contextTokens() : 512;
        MorphClient morph = new MorphClient(http, server.url());
        // Manual mode: the controller stands still, so the scheduled passes are the only swaps.
        morph.setMode("manual");
        List<Integer> swapOrder = morph.swapOrder();
        ServerProbe probe = new ServerProbe(http, server.url());
        SoakMix mix = new SoakMix(seed, context);
        SoakClient client = new SoakClient(http, server.url(), Duration.ofMinutes(2));

        String startedAt = Instant.now().toString();
        long startNanos = System.nanoTime();
        SoakLedger ledger = new SoakLedger(startNanos);
        SoakLoad load = new SoakLoad(mix, client, ledger);
        long durationSeconds = Math.max(1, duration.toSeconds());
        double loadSeconds;
        SoakSampler sampler;
        MorphCycler cycler;
        try (ProgressBar bar = Progress.bar("bench soak", durationSeconds, "s")) {
            sampler = new SoakSampler(server.pid(), probe, ledger, startNanos, sample -> {
                bar.stepTo(Math.min(durationSeconds, (long) sample.tSeconds()));
                Map<SoakOutcome, Long> totals = ledger.totals();
                bar.setExtraMessage(String.format(" RSS %.0f MB, %d threads, ok %d, 5xx %d", sample.rssBytes() / 1e6, sample.threads(),
                        totals.get(SoakOutcome.OK), totals.get(SoakOutcome.OVERLOADED) + totals.get(SoakOutcome.SERVER_ERROR)));
            });
            sampler.start(sampleEvery.toMillis());
            cycler = new MorphCycler(http, server.url(), swapOrder, morphEvery);
            try {
                load.run(concurrency, startNanos + duration.toNanos());
            } finally {
                cycler.close();
                sampler.close();
            }
            loadSeconds = (System.nanoTime() - startNanos) / 1e9;
            sampler.sample(); // the requests that ended after the last scheduled sample
        }
        boolean alive = server.awaitExit(Duration.ZERO).isEmpty();
        Quiescence quiescence = alive ? Quiescence.check(http, server.url(), probe, Duration.ofSeconds(60)) : null;
        err.printf("%d requests in %.0f s; quiescence %s%n", load.requestsSent(), loadSeconds,
                quiescence == null ? "not checked (server gone)" : quiescence.passed() ? "passed" : "failed");
        err.flush();
        var settings = new SoakReport.Settings(model.getFileName().toString(), contextTokens, duration.toMillis() / 1000.0, concurrency,
                morphEvery.toMillis() / 1000.0, sampleEvery.toMillis() / 1000.0, seed, swapOrder, startedAt);
        var samples = sampler.samples();
        return new SoakReport(settings, samples, ledger.totals(), ledger.byKind(), cycler.answers(), cycler.passes(),
                SoakDrift.compute(loadSeconds, samples, ledger.timed()), quiescence, alive, errorLines(outputDir.resolve("server.log")), ledger.failureExamples());
    }
}
