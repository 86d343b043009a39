package dev.morphserve.cli;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Writes a model of a named shape with seeded random weights (for tests and benchmarks).")
final class SynthCommand implements Callable<Integer> {
    static final long DEFAULT_SEED = 1234;

    @Option(names = "--shape", required = true, description = "tiny, small, medium, tinyllama-1.1b or llama-2-7b.")
    String shape;

    @Option(names = "--type", defaultValue = "F16", description = "F32, F16, BF16, Q8_0, Q4_0 or a K-quant (Q2_K .. Q6_K).")
    GgmlType type;

    @Option(names = {"-o", "--output"}, required = true, description = "GGUF file to write.")
    Path output;

    @Option(names = "--seed", defaultValue = "" + DEFAULT_SEED)
    long seed;

    @Override
    public Integer call() throws Exception {
        ModelShape s = ModelShape.byName(shape);
        long total = weightElements(s);
        try (var bar = Progress.bar("synth " + s.shapeName() + " " + type, total, "weights")) {
            SyntheticModel.write(s, type, seed, output, bar::stepTo);
        }
        System.out.printf("wrote %s (%s, %s, %.1f MB)%n", output, s.shapeName(), type,
                java.nio.file.Files.size(output) / 1e6);
        return 0;
    }

    /** Weight elements of a shape (progress bars). */
    static long weightElements(ModelShape s) {
        return (long) s.vocabSize * s.dim * 2
                + (long) s.numLayers * (2L * s.dim * s.dim + 2L * s.kvDim() * s.dim + 3L * s.ffnDim * s.dim);
    }
}
