package dev.morphserve.server;

import dev.morphserve.backend.Backend;
import dev.morphserve.backend.Backends;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelDownloader;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelReference;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Loads the configured model at start-up and owns it (and its backend) until shutdown. */
@ApplicationScoped
public class ModelService {
    private static final Logger LOG = Logger.getLogger(ModelService.class);

    private final ServeConfig config;
    private volatile LoadedModel model;
    private volatile Backend backend;
    private volatile Path modelPath;

    ModelService(ServeConfig config) {
        this.config = config;
    }

    void onStart(@Observes @Priority(10) StartupEvent event) throws IOException {
        Path path = resolveModel();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("morphserve.model: no model file at " + path.toAbsolutePath()
                    + "; pass --model PATH (or hf:owner/repo/file.gguf) to serve, or set MORPHSERVE_MODEL");
        }
        int threads = config.threads().orElse(Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new IllegalStateException("morphserve.threads must be at least 1, got " + threads);
        }
        long start = System.nanoTime();
        if (config.contextLength() < 0) {
            throw new IllegalStateException("morphserve.context-length must be >= 0 (0 = the model's), got " + config.contextLength());
        }
        model = ModelLoader.load(path, config.contextLength());
        modelPath = path;
        backend = Backends.create(config.backend(), threads, config.kernels(), config.kvType());
        LOG.infof("backend: %s", backend.description());
        var c = model.config();
        LOG.infof("loaded %s: %s, %d layers, dim %d, %d heads (%d KV), vocab %d, context %d, %.1f MB of weights in %.0f ms",
                path.getFileName(), c.architecture(), c.numLayers(), c.dim(), c.numHeads(), c.numKvHeads(),
                c.vocabSize(), c.contextLength(), model.weights().bytesReadPerToken() / 1e6,
                (System.nanoTime() - start) / 1e6);
    }

    private Path resolveModel() throws IOException {
        var reference = ModelReference.parse(config.model());
        var cache = config.cacheDir().map(Path::of).orElse(ModelDownloader.defaultCacheDir());
        var downloader = new ModelDownloader(URI.create(config.hfEndpoint()), cache);
        int[] lastDecile = {-1};
        return downloader.resolve(reference, (bytes, total) -> {
            int decile = total > 0 ? (int) (bytes * 10 / total) : -1;
            if (decile != lastDecile[0]) {
                lastDecile[0] = decile;
                LOG.infof("downloading %s: %d%% (%.1f MB)", config.model(), decile * 10, bytes / 1e6);
            }
        });
    }

    void onStop(@Observes @Priority(10) ShutdownEvent event) {
        if (backend != null) {
            backend.close();
        }
        if (model != null) {
            model.close();
        }
    }

    /** The served model; null until start-up finished. */
    public LoadedModel model() {
        return model;
    }

    /** A forward-pass runner on this service's backend (one per engine thread). */
    public ModelRunner runner() {
        return backend.runner(model);
    }

    /** A runner over a weights table that another component manages (morphing). */
    public ModelRunner runner(WeightsTable weights) {
        return backend.runner(model.config(), weights);
    }

    /** The backend the model runs on (morphing prepares its variants and copies with it). */
    public Backend backend() {
        return backend;
    }

    public Path modelPath() {
        return modelPath;
    }

    public String modelId() {
        return modelPath.getFileName().toString();
    }
}
