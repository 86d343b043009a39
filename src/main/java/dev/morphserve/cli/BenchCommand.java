package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.cuda.CudaBackend;
import dev.morphserve.bench.MemoryUsage;
import dev.morphserve.bench.ModelBench;
import dev.morphserve.model.LoadedModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchServeCommand.class, BenchCompareCommand.class, BenchPlotCommand.class, SwapQualityCommand.class, SwapCostCommand.class, BenchSoakCommand.class},
        description = "Prompt-processing and decode speed of a model, like llama-bench (pp and tg tokens/s, peak memory).")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt-tokens"}, defaultValue = "128", description = "Tokens of the pp test; 0 skips it (decode only).")
    int promptTokens;

    @Option(names = {"-n", "--gen-tokens"}, defaultValue = "64", description = "Tokens of the tg test; 0 skips it.")
    int genTokens;

    @Option(names = {"-d", "--depth"}, defaultValue = "0",
            description = "Tokens already in the context when the tg test decodes (prefilled once, untimed), like llama-bench's -d.")
    int depthTokens;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", description = "Timed runs per test (after one warm-up).")
    int repetitions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (promptTokens < 0 || genTokens < 0 || (promptTokens == 0 && genTokens == 0)) {
            throw new ParameterException(spec.commandLine(), "--prompt-tokens and --gen-tokens must be >= 0 and not both 0, got -p "
                    + promptTokens + " -n " + genTokens);
        }
        if (repetitions < 1) {
            throw new ParameterException(spec.commandLine(), "--repetitions must be >= 1, got " + repetitions);
        }
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend()) {
            int context = model.config().contextLength();
            if (promptTokens > context) {
                throw new IllegalArgumentException("--prompt-tokens " + promptTokens + " must fit in the context of " + context
                        + " tokens: lower it or pass a larger --context");
            }
            if (depthTokens < 0 || depthTokens + genTokens > context) {
                throw new IllegalArgumentException("--depth " + depthTokens + " plus --gen-tokens " + genTokens + " must fit in the context of "
                        + context + " tokens: lower them or pass a larger --context");
            }
            var runner = backend.runner(model);
            // A model without BOS (some byte-level BPE files) decodes from token 0 instead: any one token does for timing.
            int bos = model.tokenizer().vocabulary().bosId();
            ModelBench bench = new ModelBench(runner, Math.max(0, bos));
            Consumer<String> log = line -> {
                err.println(line);
                err.flush();
            };
            List<ModelBench.Sample> samples = new ArrayList<>(2);
            if (promptTokens > 0) {
                samples.add(bench.promptProcessing(promptTokens, repetitions, log));
            }
            ModelBench.Sample tg = genTokens > 0 ? bench.textGeneration(genTokens, depthTokens, repetitions, log) : null;
            if (tg != null) {
                samples.add(tg);
            }
            MemoryUsage memory = MemoryUsage.now();
            long bytesPerToken = model.weights().bytesReadPerToken();
            String where = backend instanceof CpuBackend
                    ? "cpu, " + modelOptions.threadCount() + " threads, " + modelOptions.kernels + ", " + modelOptions.kvType + " KV"
                    : backend.memory().device();
            out.printf("| model | backend | test | t/s |%n|---|---|---|---|%n");
            for (var s : samples) {
                out.printf("| %s | %s | %s | %.2f ± %.2f |%n", model.file().path().getFileName(), where, s.test(),
                        s.tokensPerSecond(), s.tokensPerSecondStdev());
            }
            if (tg != null) {
                out.printf("weights read per decoded token: %.1f MB; decode streams %.1f GB/s%n",
                        bytesPerToken / 1e6, bytesPerToken * tg.tokensPerSecond() / 1e9);
                if (backend instanceof CudaBackend gpu) {
                    // Copy bandwidth counts bytes read plus written; decode mostly reads, so the roof is
                    // the rate at which a copy moves bytes through memory.
                    double bandwidth = gpu.copyBandwidth(1L << 30);
                    out.printf("device copy bandwidth %.0f GB/s: decode ceiling %.0f tok/s, reached %.0f %%%n", bandwidth / 1e9,
                            bandwidth / bytesPerToken, 100 * tg.tokensPerSecond() * bytesPerToken / bandwidth);
                }
            }
            out.printf("peak RSS %.1f MB (mmapped weights included), heap used %.1f MB of max %.1f MB%n",
                    memory.peakResidentBytes() / 1e6, memory.heapUsedBytes() / 1e6, memory.heapMaxBytes() / 1e6);
            out.flush();
            return 0;
        }
    }
}
