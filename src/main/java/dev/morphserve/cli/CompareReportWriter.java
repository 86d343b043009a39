package dev.morphserve.cli;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.bench.CompareConfig;
import dev.morphserve.bench.CompareQuality;
import dev.morphserve.bench.ComparePlots;
import dev.morphserve.bench.CompareReport;
import dev.morphserve.bench.CompareRun;
import dev.morphserve.bench.MorphTimelinePlot;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.morph.LayerVariants;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Measures quality for a finished comparison and writes compare.md with its three plots. */
final class CompareReportWriter {
    private final QualityOptions quality;
    private final Path servedModel;
    private final Path outputDir;
    private final String setup;
    private final double sloTtftMs;

    /** @param servedModel null when the runs used a server given by URL */
    CompareReportWriter(QualityOptions quality, Path servedModel, Path outputDir, String setup, double sloTtftMs) {
        this.quality = quality;
        this.servedModel = servedModel;
        this.outputDir = outputDir;
        this.setup = setup;
        this.sloTtftMs = sloTtftMs;
    }

    /** @return the Markdown report, also written to compare.md */
    String write(List<CompareRun> runs, PrintWriter err) throws Exception {
        CompareQuality measured = null;
        String note = "not measured (--no-quality)";
        if (!quality.skip) {
            Path model = quality.modelOr(servedModel);
            TextSlice text = TextSlice.read(quality.file, 0, quality.chars);
            int servedLayers = runs.getFirst().numLayers();
            try (LoadedModel loaded = ModelLoader.load(model, quality.contextTokens);
                    CpuBackend backend = CpuBackend.create(Runtime.getRuntime().availableProcessors(), KernelKind.VECTOR, KvType.F16);
                    LayerVariants variants = LayerVariants.quantize(loaded.weights(), quality.lowType)) {
                int layers = loaded.config().numLayers();
                var order = quality.order(model, layers);
                int[] tokens = loaded.tokenizer().encode(text.text(), true);
                try (var bar = Progress.bar(err, "quality", CompareQuality.evaluations(layers), "ppl")) {
                    measured = CompareQuality.measure(backend.runner(loaded), variants, tokens, loaded.config().contextLength() - 1,
                            quality.agreement(), order.layers(), servedLayers, bar::step);
                }
                var agreement = quality.agreement();
                note = String.format(Locale.ROOT, "perplexity of %s on %s (%d tokens); %s; %s low variants, swap order %s (%s)%s",
                        model.getFileName(), text.description(), tokens.length - 1, !agreement.enabled() ? "no greedy agreement"
                                : String.format(Locale.ROOT, "greedy agreement with full precision over %d prompts of %d tokens from"
                                        + " the same text, %d generated tokens each", agreement.prompts(), agreement.promptTokens(),
                                        agreement.newTokens()),
                        quality.lowType, order.layers(), order.source(),
                        layers == servedLayers ? "" : String.format(Locale.ROOT,
                                "; k of the served model's %d layers stand for k x %d / %d of its %d (perplexity interpolated between whole layers)",
                                servedLayers, layers, servedLayers, layers));
            }
        }
        String md = CompareReport.markdown(setup, runs, measured, note);
        Files.writeString(outputDir.resolve("compare.md"), md);
        if (measured != null) {
            ComparePlots.latencyVsQuality(runs, measured, outputDir.resolve("latency-quality.png"));
        }
        ComparePlots.ttftCdf(runs, sloTtftMs, outputDir.resolve("ttft-cdf.png"));
        Integer fullCapacity = runs.stream().filter(r -> r.config() == CompareConfig.OFF).findFirst()
                .map(CompareRun::startKvTokens).orElse(null);
        MorphTimelinePlot.write(runs.stream().map(r -> MorphTimelinePlot.Timeline.of(r.config().label(), r.report())).toList(),
                fullCapacity, outputDir.resolve("timeline.png"));
        err.println("wrote " + outputDir.resolve("compare.md") + " and its plots");
        return md;
    }
}
