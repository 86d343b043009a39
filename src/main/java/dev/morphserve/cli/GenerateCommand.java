package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.engine.SamplingParams;
import dev.morphserve.engine.SequenceGenerator;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.tokenizer.TokenDecoder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Prints the prompt and the model's continuation of it.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, defaultValue = "", description = "Prompt text (empty: start from BOS).")
    String prompt;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "128", description = "Tokens to generate at most.")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy.")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling threshold.")
    float topP;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed for sampling.")
    long seed;

    @Option(names = "--ids", description = "Also print the generated token ids.")
    boolean printIds;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        SamplingParams params = new SamplingParams(temperature, 0, topP, 0f, seed);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend()) {
            var tokenizer = model.tokenizer();
            int[] promptIds = tokenizer.encodeWithSpecialTokens(prompt, tokenizer.vocabulary().addBos());
            if (promptIds.length == 0) {
                // An empty prompt starts from BOS even for models that add none to text (GPT-2).
                if (tokenizer.vocabulary().bosId() < 0) {
                    throw new IllegalArgumentException("the prompt is empty and the model has no BOS token to start from");
                }
                promptIds = new int[] {tokenizer.vocabulary().bosId()};
            }
            out.print(prompt);
            TokenDecoder decoder = new TokenDecoder(tokenizer);
            int[] previous = {promptIds[promptIds.length - 1]};
            var generator = new SequenceGenerator(backend.runner(model), tokenizer.vocabulary());
            var result = generator.generate(promptIds, maxTokens, params, id -> {
                out.print(decoder.next(previous[0], id));
                previous[0] = id;
            });
            out.println(decoder.flush());
            if (printIds) {
                out.println("ids: " + java.util.Arrays.toString(result.tokens()));
            }
            double decodeSeconds = result.decodeNanos() / 1e9;
            System.err.printf("%d prompt tokens in %.1f ms, %d generated (%s) at %.1f tok/s%n",
                    result.promptTokens(), result.prefillNanos() / 1e6, result.tokens().length,
                    result.finishReason().openAiName(),
                    result.tokens().length > 1 ? (result.tokens().length - 1) / decodeSeconds : 0.0);
            return 0;
        }
    }
}
