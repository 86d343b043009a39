package dev.morphserve.cli;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.ModelQuantizer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Rewrites a GGUF model with its weight matrices in another type (Q8_0, Q4_0, F16, BF16, F32).")
final class QuantizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "Source GGUF.")
    Path model;

    @Option(names = "--type", required = true, description = "Target type.")
    GgmlType type;

    @Option(names = {"-o", "--output"}, required = true, description = "GGUF file to write.")
    Path output;

    @Option(names = "--layers", split = ",",
            description = "Only these decoder layers (0-based); token embedding and output then stay as they are.")
    List<Integer> layers;

    @Override
    public Integer call() throws Exception {
        var report = layers == null
                ? ModelQuantizer.quantize(model, output, type, i -> true, true)
                : ModelQuantizer.quantize(model, output, type, layers::contains, false);
        System.out.printf("wrote %s: %d tensors converted to %s, %d kept; %.2f MB -> %.2f MB%n",
                output, report.converted(), type, report.kept(), report.bytesBefore() / 1e6, report.bytesAfter() / 1e6);
        return 0;
    }
}
