package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.Perplexity;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.study.SwapSession;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Mixin
    SwapOptions swapOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String text = Files.readString(file);
        if (chars != null) {
            text = text.substring(0, Math.min(chars, text.length()));
        }
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend()) {
            int[] tokens = model.tokenizer().encode(text, true);
            int windowTokens = window != null ? window : model.config().contextLength() - 1;
            ModelRunner runner = backend.runner(model);
            Optional<SwapOptions.Selection> swap = swapOptions.select(model.file().path(), model.config().numLayers());
            Perplexity.Result result;
            if (swap.isEmpty()) {
                result = evaluate(runner, tokens, windowTokens, spec.commandLine().getErr());
            } else {
                List<Integer> layers = swap.get().layers();
                out.printf("low_precision_layers %s (%s; %s)%n",
                        layers.isEmpty() ? "none" : layers.stream().map(String::valueOf).collect(Collectors.joining(",")),
                        swapOptions.lowType, swap.get().source());
                try (LayerVariants variants = LayerVariants.quantize(model.weights(), swapOptions.lowType);
                        SwapSession session = new SwapSession(runner, variants)) {
                    session.swapExactly(layers);
                    result = evaluate(runner, tokens, windowTokens, spec.commandLine().getErr());
                }
            }
            out.printf("tokens %d%nmean_nll %.5f%nperplexity %.4f%n",
                    result.predictedTokens(), result.meanNll(), result.perplexity());
            return 0;
        }
    }

    private static Perplexity.Result evaluate(ModelRunner runner, int[] tokens, int windowTokens, PrintWriter err) {
        try (var bar = Progress.bar(err, "perplexity", tokens.length - 1, "tok")) {
            return new Perplexity(runner).evaluate(tokens, windowTokens, bar::stepBy);
        }
    }
}
