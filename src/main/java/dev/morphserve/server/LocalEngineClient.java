package dev.morphserve.server;

import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineClient;
import dev.morphserve.engine.EngineSettings;
import dev.morphserve.engine.EngineStats;
import dev.morphserve.engine.GenerationEvent;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.Warmup;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelConfig;
import dev.morphserve.tokenizer.Tokenizer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The in-process {@link Engine} as a CDI bean: sized from the memory budget at start-up. */
@ApplicationScoped
public class LocalEngineClient implements EngineClient {
    private static final Logger LOG = Logger.getLogger(LocalEngineClient.class);

    private final ModelService models;
    private final MorphService morph;
    private final ServeConfig config;
    private Engine engine;
    private long blockBytes;
    private KvSizing sizing;

    LocalEngineClient(ModelService models, MorphService morph, ServeConfig config) {
        this.models = models;
        this.morph = morph;
        this.config = config;
    }

    void onStart(@Observes @Priority(20) StartupEvent event) {
        LoadedModel model = models.model();
        ServeConfig.Engine c = config.engine();
        EngineSettings settings = new EngineSettings(c.blockSize(), c.maxTokensPerStep(), c.maxRunningRequests(), c.maxWaitingRequests(), c.maxWaitingTokens());
        var runner = morph.runner();
        KvLayout layout = runner.kvLayout(settings.blockSize());
        blockBytes = layout.blockBytes();
        sizing = KvSizing.of(config.memory(), layout, model.weights().bytesReadPerToken(), model.config().contextLength());
        BlockPool pool = new BlockPool(layout, sizing.numBlocks(), runner.kvStorage());
        LOG.infof("KV cache: %d blocks of %d tokens = %d tokens, %.1f MB (budget %.1f MB = weights %.1f MB + KV + reserve %.1f MB)",
                sizing.numBlocks(), settings.blockSize(), sizing.numBlocks() * settings.blockSize(), pool.byteSize() / 1e6,
                sizing.budgetBytes() / 1e6, sizing.weightBytes() / 1e6, sizing.reserveBytes() / 1e6);
        if (c.warmup()) {
            long start = System.nanoTime();
            int tokens = Warmup.run(runner);
            LOG.infof("warm-up: %d tokens through the model in %.0f ms", tokens, (System.nanoTime() - start) / 1e6);
        }
        engine = new Engine(runner, model.tokenizer().vocabulary(), pool, settings, morph.hook());
    }

    void onStop(@Observes @Priority(5) ShutdownEvent event) throws InterruptedException {
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    public Multi<GenerationEvent> generate(GenerationRequest request) {
        return engine.generate(request);
    }

    /** Runs an action on the engine thread between two steps. */
    public void atNextStepBoundary(java.util.function.Consumer<StepBoundary> action) {
        engine.atNextStepBoundary(action);
    }

    /** How the memory budget was split at start-up. */
    public KvSizing sizing() {
        return sizing;
    }

    /** Tokens per KV block. */
    public int blockTokens() {
        return config.engine().blockSize();
    }

    /** Bytes of one KV block (all layers, K and V). */
    public long blockBytes() {
        return blockBytes;
    }

    public EngineStats stats() {
        return engine == null ? EngineStats.EMPTY : engine.stats();
    }

    @Override
    public String modelId() {
        return models.modelId();
    }

    @Override
    public ModelConfig modelConfig() {
        return models.model().config();
    }

    @Override
    public Tokenizer tokenizer() {
        return models.model().tokenizer();
    }

    @Override
    public Optional<String> chatTemplate() {
        return models.model().file().metadata().findString("tokenizer.chat_template");
    }
}
