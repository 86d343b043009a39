package dev.morphserve.cli;

import dev.morphserve.bench.BenchConfig;
import dev.morphserve.bench.BenchReport;
import dev.morphserve.bench.CompareConfig;
import dev.morphserve.bench.CompareRun;
import dev.morphserve.bench.CompletionClient;
import dev.morphserve.bench.LengthMapper;
import dev.morphserve.bench.LengthMapping;
import dev.morphserve.bench.MorphClient;
import dev.morphserve.bench.PromptFactory;
import dev.morphserve.bench.ServeBenchmark;
import dev.morphserve.bench.ServerInfo;
import dev.morphserve.bench.ServerLauncher;
import dev.morphserve.bench.Workload;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench compare}: the paper's comparison as one command. The same load, under the same
 * memory budget, against full precision, static low precision and both morph modes, each on a
 * fresh server (or one given server, reconfigured between runs); then quality per swapped-layer
 * count, a Markdown report and the plots.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = CompareDefaults.class,
        description = "Serve one bursty load in each configuration (off, static low precision, morph accuracy, morph performance) "
                + "under one memory budget; report latency, SLO violations, goodput, swaps and quality, with plots.")
public final class BenchCompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "GGUF", description = "Model to serve (a fresh server per configuration).")
    Path model;

    @Option(names = "--url", paramLabel = "URL", description = "Use this running MorphServe server instead of starting ones"
            + " (its budget and model stay as they are; configurations are set through /v1/morph).")
    URI url;

    @Option(names = "--budget", paramLabel = "SIZE", description = "morphserve.memory.budget of the servers, e.g. 410M"
            + " (default: 1.07 x the model file, a little over its weights).")
    String budget;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "2", description = "Server worker threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--configs", paramLabel = "LIST", split = ",", defaultValue = "off,static,accuracy,balanced,performance",
            description = "Configurations to run, in order (default ${DEFAULT-VALUE}).")
    List<String> configs;

    @Option(names = "--server-property", paramLabel = "KEY=VALUE", description = "Extra server configuration for every run,"
            + " e.g. morphserve.morph.cooldown=30s (repeatable).")
    Map<String, String> serverProperties = new LinkedHashMap<>();

    @Option(names = "--server-java-opts", paramLabel = "OPTS", defaultValue = "-Xmx1g", description = "JVM options of the servers (default ${DEFAULT-VALUE}).")
    String serverJavaOpts;

    @Option(names = "--levels", paramLabel = "LIST", defaultValue = "Q8_0,Q4_0",
            description = "morphserve.morph.levels of the servers; static runs every layer at the last (default ${DEFAULT-VALUE}).")
    String levels;

    @Mixin
    WorkloadOptions load;

    @Option(names = "--request-timeout-s", paramLabel = "S", defaultValue = "900",
            description = "Limit for one whole request (default ${DEFAULT-VALUE}).")
    double requestTimeoutS;

    @Mixin
    QualityOptions quality;

    @Option(names = {"-o", "--output-dir"}, required = true, paramLabel = "DIR",
            description = "Where compare.md, the plots and one JSON report per configuration go.")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<CompareConfig> order;
        Workload workload;
        try {
            order = configs.stream().map(CompareConfig::parse).toList();
            workload = load.workload();
            if ((model == null) == (url == null)) {
                throw new IllegalArgumentException("give exactly one of --model (start servers) and --url (use a running server)");
            }
            if (model != null && !Files.isRegularFile(model)) {
                throw new IllegalArgumentException("--model " + model + " is not a file");
            }
            quality.validate(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Files.createDirectories(outputDir);
        String budgetValue = budget != null ? budget : model != null ? (long) (Files.size(model) * 1.07) + "" : null;
        HttpClient http = CompletionClient.newHttpClient();
        List<CompareRun> runs = new ArrayList<>();
        LengthMapping mapping = null;
        for (CompareConfig config : order) {
            err.printf("== %s%n", config.label());
            err.flush();
            try (ServerLauncher server = model != null ? launch(config, budgetValue) : null) {
                URI base = server != null ? server.url() : url;
                MorphClient morph = new MorphClient(http, base);
                prepare(morph, config);
                ServerInfo info = ServerInfo.fetch(http, base);
                if (mapping == null) {
                    int context = info.contextTokens() != null ? info.contextTokens() : 2048;
                    mapping = LengthMapper.map(workload.requests(), context, load.lengthMapping);
                    err.printf("%s%nlength mapping: %s%n", workload.describe(), mapping.describe());
                }
                runs.add(run(http, base, morph, info, config, mapping, workload.describe()));
            }
        }
        var report = new CompareReportWriter(quality, model, outputDir, describe(budgetValue, workload), load.sloTtftMs).write(runs, err);
        PrintWriter out = spec.commandLine().getOut();
        out.print(report);
        out.flush();
        return 0;
    }

    private ServerLauncher launch(CompareConfig config, String budgetValue) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(serverProperties);
        properties.put("morphserve.memory.budget", budgetValue);
        properties.put("morphserve.morph.mode", config.controllerMode());
        properties.putIfAbsent("morphserve.morph.levels", levels);
        List<String> jvm = List.of(serverJavaOpts.strip().split("\\s+"));
        return new ServerLauncher(ServerLauncher.runningJar(), jvm, properties,
                List.of("--model", model.toString(), "--threads", Integer.toString(threads)),
                outputDir.resolve(config.id() + ".server.log"), Duration.ofMinutes(10));
    }

    private static void prepare(MorphClient morph, CompareConfig config) throws Exception {
        morph.resetToFullPrecision(Duration.ofMinutes(2));
        morph.setMode(config.controllerMode());
        if (config == CompareConfig.STATIC) {
            morph.swapAllDown(Duration.ofMinutes(2));
        }
    }

    private CompareRun run(HttpClient http, URI base, MorphClient morph, ServerInfo info, CompareConfig config, LengthMapping mapping,
            String workloadDescription) throws Exception {
        Map<Integer, Long> before = morph.tokensBySwappedLayers();
        long preemptionsBefore = morph.preemptions();
        BenchConfig benchConfig = new BenchConfig(base.toString(), info.modelId(), workloadDescription, mapping.contextTokens(),
                "server", load.lengthMapping.name().toLowerCase(Locale.ROOT), PromptFactory.DESCRIPTION, load.seed, null,
                requestTimeoutS, Instant.now().toString());
        var settings = new ServeBenchmark.Settings(base, info.modelId(), load.prompts(), load.slo(), 0,
                Duration.ofMillis((long) (requestTimeoutS * 1000)));
        BenchReport report = BenchServeCommand.runWithProgress(spec.commandLine().getErr(), config.id(), true, http, benchConfig, mapping, settings);
        report.writeJson(outputDir.resolve(config.id() + ".json"));
        Map<Integer, Long> tokens = new HashMap<>();
        morph.tokensBySwappedLayers().forEach((k, v) -> {
            long delta = v - before.getOrDefault(k, 0L);
            if (delta > 0) {
                tokens.put(k, delta);
            }
        });
        return new CompareRun(config, report, tokens, morph.preemptions() - preemptionsBefore, morph.state().path("layers").size());
    }

    private String describe(String budgetValue, Workload workload) {
        return (model != null ? "model " + model.getFileName() + ", budget " + budgetValue
                + (budget == null ? " bytes (1.07 x the model file)" : "") + ", " + threads + " threads"
                : "server " + url) + "; load: " + workload.describe() + "; TTFT SLO " + load.sloTtftMs + " ms"
                + (load.sloTpotMs != null ? ", TPOT SLO " + load.sloTpotMs + " ms" : "");
    }
}
