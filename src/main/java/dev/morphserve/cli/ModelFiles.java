package dev.morphserve.cli;

import dev.morphserve.model.ModelDownloader;
import dev.morphserve.model.ModelReference;
import java.io.IOException;
import java.nio.file.Path;

/** Turns a --model argument into a local file, downloading Hugging Face references with a progress bar. */
final class ModelFiles {
    private ModelFiles() {}

    static Path resolve(String model) throws IOException {
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
}
