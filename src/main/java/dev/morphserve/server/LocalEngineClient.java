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
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.morph.MemoryAccount;
import dev.morphserve.morph.MemoryBudget;
import dev.morphserve.morph.MorphEngine;
import dev.morphserve.morph.MorphService;
import java.io.IOException;
import java.util.OptionalLong;
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

/**
 * The in-process {@link Engine} as a CDI bean. At start-up it asks morphing for the table to run,
 * splits the memory budget (weights, activations, reserve, swap staging, the rest KV) and hands
 * morphing the engine it may send commands to.
 */
@ApplicationScoped
public class LocalEngineClient implements EngineClient, MorphEngine {
    private static final Logger LOG = Logger.getLogger(LocalEngineClient.class);

    private final ModelService models;
    private final MorphService morph;
    private final ServeConfig config;
    private Engine engine;
    private KvLayout layout;
    private MemoryAccount account;

    LocalEngineClient(ModelService models, MorphService morph, ServeConfig config) {
        this.models = models;
        this.morph = morph;
        this.config = config;
    }

    void onStart(@Observes @Priority(20) StartupEvent event) throws IOException {
        LoadedModel model = models.model();
        ServeConfig.Engine c = config.engine();
        EngineSettings settings = new EngineSettings(c.blockSize(), c.maxTokensPerStep(), c.maxRunningRequests(), c.maxWaitingRequests(), c.maxWaitingTokens());
        WeightsTable morphTable = morph.prepare(model, models.modelPath(), models.backend());
        ModelRunner runner = morphTable == null ? models.runner() : models.runner(morphTable);
        layout = runner.kvLayout(settings.blockSize());
        account = split(model, settings);
        models.backend().limitMemory(account.budgetBytes());
        BlockPool pool = new BlockPool(layout, account.initialKvBlocks(), runner.kvStorage());
        MemoryBudget budget = account.now(pool.byteSize());
        LOG.infof("KV cache: %d blocks of %d tokens = %d tokens, %.1f MB; budget %.1f MB = weights %.1f MB + KV + activations %.1f MB"
                        + " + reserve %.1f MB + swap staging %.1f MB",
                account.initialKvBlocks(), settings.blockSize(), account.initialKvBlocks() * settings.blockSize(), pool.byteSize() / 1e6,
                budget.budgetBytes() / 1e6, (budget.otherWeightBytes() + budget.layerBytes()) / 1e6, budget.activationBytes() / 1e6,
                budget.reserveBytes() / 1e6, budget.stagingBytes() / 1e6);
        if (c.warmup()) {
            long start = System.nanoTime();
            int tokens = Warmup.run(runner);
            LOG.infof("warm-up: %d tokens through the model in %.0f ms", tokens, (System.nanoTime() - start) / 1e6);
        }
        morph.attach(account, this);
        engine = new Engine(runner, model.tokenizer().vocabulary(), pool, settings, morph.hook());
    }

    private MemoryAccount split(LoadedModel model, EngineSettings settings) {
        WeightsTable weights = model.weights();
        long layerBytes = 0;
        for (int l = 0; l < weights.numLayers(); l++) {
            layerBytes += weights.layer(l).matrixBytes();
        }
        long otherBytes = weights.tokenEmbedding().byteSize() + (weights.output() == weights.tokenEmbedding() ? 0 : weights.output().byteSize());
        ServeConfig.Memory memory = config.memory();
        int context = model.config().contextLength();
        var budget = memory.budget().map(b -> OptionalLong.of(b.asLongValue())).orElse(OptionalLong.empty());
        return MemoryAccount.split(budget, otherBytes, layerBytes, model.config().activationBytes(settings.maxTokensPerStep()),
                memory.reserve().asLongValue(), morph.stagingBytes(), layout, context, memory.defaultKvContexts() * context, morph.residency());
    }

    void onStop(@Observes @Priority(5) ShutdownEvent event) throws InterruptedException {
        if (engine != null) {
            engine.close();
        }
    }

    /** The running engine; null before start-up finished. */
    Engine engine() {
        return engine;
    }

    @Override
    public Multi<GenerationEvent> generate(GenerationRequest request) {
        return engine.generate(request);
    }

    @Override
    public void atNextStepBoundary(java.util.function.Consumer<StepBoundary> action) {
        engine.atNextStepBoundary(action);
    }

    @Override
    public KvLayout kvLayout() {
        return layout;
    }

    @Override
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
