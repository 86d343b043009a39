package dev.morphserve.cli;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.ModelDownloader;
import dev.morphserve.model.ModelReference;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a --model argument into a local file, downloading Hugging Face references with a progress bar. */
final class ModelFiles {
    private ModelFiles() {}

    private static final String SYNTH = "synth:";

    static Path resolve(String model) throws IOException {
        if (model.startsWith(SYNTH)) {
            return synthetic(model.substring(SYNTH.length()));
        }
        ModelReference reference = ModelReference.parse(model);
        if (reference instanceof ModelReference.LocalFile local) {
            return local.path();
        }
        var downloader = new ModelDownloader(ModelDownloader.defaultEndpoint(), ModelDownloader.defaultCacheDir());
        try (var bar = Progress.bar("download", 1, "B")) {
            return downloader.resolve(reference, (bytes, total) -> {
                if (total > 0) {
                    bar.maxHint(total);
                }
                bar.stepTo(bytes);
            });
        }
    }

    /**
     * {@code synth:SHAPE:TYPE}: a seeded random model of a named shape, written once into the model
     * cache's {@code synth} folder (benchmarks of big shapes on machines that hold no such file).
     */
    private static Path synthetic(String spec) throws IOException {
        String[] parts = spec.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--model synth:SHAPE:TYPE, e.g. synth:tinyllama-1.1b:F16; got synth:" + spec);
        }
        ModelShape shape = ModelShape.byName(parts[0]);
        GgmlType type = GgmlType.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT));
        Path dir = ModelDownloader.defaultCacheDir().resolve("synth");
        Path file = dir.resolve(shape.shapeName() + "-" + type + ".gguf");
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(dir);
            Path partial = dir.resolve(file.getFileName() + ".partial");
            long total = SynthCommand.weightElements(shape);
            try (var bar = Progress.bar("synth " + shape.shapeName() + " " + type, total, "weights")) {
                SyntheticModel.write(shape, type, SynthCommand.DEFAULT_SEED, partial, bar::stepTo);
            }
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
