package dev.morphserve.cli;

import dev.morphserve.model.ModelQuantizer;
import dev.morphserve.model.QuantScheme;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Rewrites a GGUF model with its weight matrices in another type (F32, F16, BF16, Q8_0, Q4_0, "
                + "Q2_K .. Q6_K) or in one of llama.cpp's mixes (Q4_K_M, Q4_K_S, Q5_K_M, Q5_K_S), byte for byte as "
                + "llama-quantize.")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "Source GGUF.")
    Path model;

    @Option(names = "--type", required = true, paramLabel = "TARGET",
            description = "A tensor type (every matrix in it, as llama-quantize --pure) or a llama.cpp mix (Q4_K_M, Q4_K_S, "
                    + "Q5_K_M, Q5_K_S).")
    String type;

    @Option(names = "--mix",
            description = "With a tensor type: llama-quantize's own mix for it (Q2_K, Q4_0, Q6_K, Q8_0; Q4_K and Q5_K stand for "
                    + "Q4_K_M and Q5_K_M), e.g. output.weight in Q6_K.")
    boolean mix;

    @Option(names = {"-o", "--output"}, required = true, description = "GGUF file to write.")
    Path output;

    @Option(names = "--layers", split = ",",
            description = "Only these decoder layers (0-based); token embedding and output then stay as they are.")
    List<Integer> layers;

    @Override
    public Integer call() throws Exception {
        QuantScheme scheme;
        try {
            scheme = QuantScheme.parse(type, mix);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--type: " + e.getMessage(), e);
        }
        var report = layers == null
                ? ModelQuantizer.quantize(model, output, scheme, i -> true, true)
                : ModelQuantizer.quantize(model, output, scheme, layers::contains, false);
        String types = report.types().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(" "));
        spec.commandLine().getOut().printf("wrote %s: %d tensors converted to %s, %d kept; matrices %s; %.2f MB -> %.2f MB%n", output,
                report.converted(), scheme.name(), report.kept(), types, report.bytesBefore() / 1e6,
                report.bytesAfter() / 1e6);
        return 0;
    }
}
