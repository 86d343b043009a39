package dev.morphserve.cli;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.Perplexity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Mean negative log-likelihood and perplexity of a text file, in windows of the model's context.")
final class PerplexityCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--file"}, required = true, description = "UTF-8 text file.")
    Path file;

    @Option(names = "--chars", description = "Use only the first N characters of the file.")
    Integer chars;

    @Option(names = "--window", description = "Tokens scored per window (default: context - 1).")
    Integer window;

    @Override
    public Integer call() throws Exception {
        String text = Files.readString(file);
        if (chars != null) {
            text = text.substring(0, Math.min(chars, text.length()));
        }
        try (LoadedModel model = modelOptions.load();
                CpuBackend backend = CpuBackend.create(modelOptions.threadCount(), modelOptions.kernels)) {
            int[] tokens = model.tokenizer().encode(text, true);
            int windowTokens = window != null ? window : model.config().contextLength() - 1;
            Perplexity.Result result;
            try (var bar = Progress.bar("perplexity", tokens.length - 1, "tok")) {
                result = new Perplexity(backend.runner(model)).evaluate(tokens, windowTokens, bar::stepBy);
            }
            System.out.printf("tokens %d%nmean_nll %.5f%nperplexity %.4f%n",
                    result.predictedTokens(), result.meanNll(), result.perplexity());
            return 0;
        }
    }
}
