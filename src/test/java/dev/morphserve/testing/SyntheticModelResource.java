package dev.morphserve.testing;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Gives @QuarkusTest servers a tiny synthetic model, so API tests need nothing from ../shared. */
public final class SyntheticModelResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("morphserve-test-model");
            Path model = dir.resolve("tiny-f32.gguf");
            SyntheticModel.write(ModelShape.TINY, GgmlType.F32, 11, model, n -> {});
            // The controller stays off unless a test turns it on: outputs must not change mid-test.
            return Map.of("morphserve.model", model.toString(), "morphserve.threads", "2", "morphserve.morph.mode", "off");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
