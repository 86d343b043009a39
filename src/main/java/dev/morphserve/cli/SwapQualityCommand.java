package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.bench.SwapQualityReport;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.study.CalibrationWindows;
import dev.morphserve.study.LayerImportanceProfiler;
import dev.morphserve.study.MdsReference;
import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.study.SwapOrderKind;
import dev.morphserve.study.SwapQualityStudy;
import dev.morphserve.study.SwapQualityStudy.Curve;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "swap-quality", mixinStandardHelpOptions = true,
        description = "Perplexity and greedy agreement with full precision, with k = 0..K layers in low precision, for"
                + " the LIS, front-to-back, back-to-front and random swap orders; writes a Markdown table and a PNG plot.")
final class SwapQualityCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--file"}, required = true, description = "UTF-8 evaluation text.")
    Path file;

    @Option(names = "--chars", defaultValue = "100000", description = "Evaluate on the first N characters (default ${DEFAULT-VALUE}).")
    int chars;

    @Option(names = "--max-swapped", description = "Largest k (default: min(5, layers)).")
    Integer maxSwapped;

    @Option(names = "--low-type", defaultValue = "Q4_0", description = "Low-precision variant: Q4_0, Q4_K or Q8_0 (default ${DEFAULT-VALUE}).")
    GgmlType lowType;

    @Option(names = "--seeds", defaultValue = "3", description = "Random orders averaged (seeds 1..N, default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--profile", description = "LIS profile to use. Default: profile now on --calibration-chars characters"
            + " that follow the evaluation text (held out), saved in --output-dir.")
    Path profile;

    @Option(names = "--mds-reference", defaultValue = "chosen-swapped", converter = ProfileCommand.MdsReferenceConverter.class,
            description = "MDS reference of the profile made here when no --profile is given: chosen-swapped or full-precision"
                    + " (default ${DEFAULT-VALUE}).")
    MdsReference mdsReference;

    @Option(names = "--calibration-chars", defaultValue = "20000", description = "Held-out calibration characters (default ${DEFAULT-VALUE}).")
    int calibrationChars;

    @Option(names = "--oracle", description = "Also evaluate every layer subset and plot the best and worst set per k"
            + " (models of at most " + SwapQualityStudy.ORACLE_MAX_LAYERS + " layers).")
    boolean oracle;

    @Mixin
    AgreementOptions agreementOptions;

    @Option(names = {"-o", "--output-dir"}, required = true, description = "Directory for swap-quality.md and swap-quality.png.")
    Path outputDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1");
        }
        var agreement = agreementOptions.settings();
        TextSlice evaluation = TextSlice.read(file, 0, chars);
        Files.createDirectories(outputDir);
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend();
                LayerVariants variants = LayerVariants.quantize(model.weights(), lowType)) {
            int layers = model.config().numLayers();
            int k = maxSwapped != null ? maxSwapped : Math.min(5, layers);
            if (k < 0 || k > layers) {
                throw new IllegalArgumentException("--max-swapped must be 0.." + layers + ", got " + k);
            }
            ModelRunner runner = backend.runner(model);
            LayerProfile lis = profile != null ? LayerProfile.read(profile) : calibrate(model, runner, variants);
            if (lis.layers().size() != layers) {
                throw new IllegalArgumentException("profile has " + lis.layers().size() + " layers, model " + layers);
            }
            List<Integer> random = new ArrayList<>();
            List<List<Integer>> randomOrders = new ArrayList<>();
            for (int seed = 1; seed <= seeds; seed++) {
                random.add(seed);
                randomOrders.add(SwapOrderKind.shuffled(layers, seed));
            }
            List<Curve> curves = List.of(
                    new Curve("LIS", List.of(lis.swapOrder())),
                    new Curve("front-to-back", List.of(SwapOrderKind.FRONT.order(null, layers, 0).layers())),
                    new Curve("back-to-front", List.of(SwapOrderKind.BACK.order(null, layers, 0).layers())),
                    new Curve("random (mean of " + seeds + " seeds)", randomOrders));
            int[] tokens = model.tokenizer().encode(evaluation.text(), true);
            int windowTokens = model.config().contextLength() - 1;
            List<SwapQualityStudy.CurveResult> results = new ArrayList<>();
            int evaluations = SwapQualityStudy.evaluations(curves, k, oracle ? layers : 0);
            try (var bar = Progress.bar(spec.commandLine().getErr(), "swap-quality", evaluations, "set")) {
                var study = new SwapQualityStudy(runner, variants, tokens, windowTokens, agreement);
                results.addAll(study.run(curves, k, bar::step));
                if (oracle) {
                    results.addAll(study.oracle(layers, k, bar::step));
                }
            }
            String name = model.file().path().getFileName().toString();
            String table = SwapQualityReport.markdown(results);
            String md = "# Swap quality: " + name + ", " + lowType + " low variants\n\n"
                    + "Perplexity of " + evaluation.description() + " (" + (tokens.length - 1) + " tokens, windows of "
                    + windowTokens + ") with k layers in " + lowType + "; in brackets: change against k = 0"
                    + (seeds > 1 ? "; random: [min–max] over seeds " + random : "") + ".\n\n"
                    + (agreement.enabled() ? SwapQualityReport.agreementLegend(agreement) + "\n\n" : "") + table
                    + "\nSwap orders (first to last; for the oracle rows, the set chosen at each k):\n\n"
                    + SwapQualityReport.orders(results)
                    + "\nLIS profile: " + lis.calibrationSource() + ", " + lis.calibrationTokens() + " tokens.\n";
            Files.writeString(outputDir.resolve("swap-quality.md"), md);
            SwapQualityReport.writePlot(outputDir.resolve("swap-quality.png"),
                    name + ", layers in " + lowType, results);
            out.print(table);
            out.printf("wrote %s and %s%n", outputDir.resolve("swap-quality.md"), outputDir.resolve("swap-quality.png"));
            return 0;
        }
    }

    /** Profiles on the characters right after the evaluation text, so LIS never sees what it is scored on. */
    private LayerProfile calibrate(LoadedModel model, ModelRunner runner, LayerVariants variants) throws Exception {
        TextSlice text = TextSlice.read(file, chars, calibrationChars);
        var windows = CalibrationWindows.of(model.tokenizer().encode(text.text(), true), model.config().contextLength());
        LayerProfile lis;
        try (var bar = Progress.bar(spec.commandLine().getErr(), "profile", LayerImportanceProfiler.forwardPasses(windows.inputs().size(),
                model.config().numLayers(), mdsReference), "pass")) {
            lis = new LayerImportanceProfiler(runner, variants, mdsReference, bar::step)
                    .profile(windows, model.file().path().getFileName().toString(), text.description());
        }
        lis.write(outputDir.resolve(model.file().path().getFileName() + LayerProfile.SUFFIX));
        return lis;
    }
}
