package dev.morphserve.testing;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The engine tests' model: a small synthetic Q8_0 model, written, loaded and put on a two-thread
 * CPU backend (F16 KV cache) once per test class. Register it with
 * {@code @RegisterExtension static final SmallCpuModel SMALL = new SmallCpuModel(seed);}.
 */
public final class SmallCpuModel implements BeforeAllCallback, AfterAllCallback {
    private final long seed;
    private Path dir;
    private LoadedModel model;
    private CpuBackend backend;

    /** @param seed the synthetic weights' seed: tests that compare against figures of their own keep theirs */
    public SmallCpuModel(long seed) {
        this.seed = seed;
    }

    public LoadedModel model() {
        return model;
    }

    public CpuBackend backend() {
        return backend;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("morphserve-small-model");
        Path path = dir.resolve("small-q8_0.gguf");
        SyntheticModel.write(ModelShape.SMALL, GgmlType.Q8_0, seed, path, n -> {});
        model = ModelLoader.load(path);
        backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        backend.close();
        model.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
