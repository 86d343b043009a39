package dev.morphserve.morph;

import dev.morphserve.backend.Backend;
import dev.morphserve.engine.EngineStats;
import dev.morphserve.engine.StepHook;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.WeightsTable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.ConsumeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Morphing's run-time state: the host tier, which variant each layer has resident, the weights
 * table the engine runs, the swap order, the memory account and the swapper the engine thread
 * drives. {@link #prepare} builds it after the model is loaded and before the engine;
 * {@link #attach} completes it once the engine's KV layout and budget split are known.
 */
@ApplicationScoped
public class MorphService {
    private static final Logger LOG = Logger.getLogger(MorphService.class);
    private static final int RECENT_EVENTS = 50;

    private final MorphConfig config;
    private final MorphCommands commands;
    private final Deque<MorphEvent> recent = new ArrayDeque<>();
    private volatile MorphMode mode;
    private MorphRuntime runtime;
    private long[][] layerBytes; // [layer][level], fixed once the host tier is built
    private SwapOrder order;
    private volatile LayerSwapper swapper;
    private volatile MemoryAccount account;
    private volatile MorphEngine engine;
    private Backend backend;

    MorphService(MorphConfig config, MorphCommands commands) {
        this.config = config;
        this.commands = commands;
        this.mode = config.enabled() ? config.mode() : MorphMode.OFF;
    }

    /**
     * Builds the host tier and makes every layer's base variant resident; returns the table the
     * engine should run (the model's own when morphing is off or has nothing to swap to).
     */
    public WeightsTable prepare(LoadedModel model, Path modelPath, Backend backend) throws IOException {
        this.backend = backend;
        if (!config.enabled()) {
            return null;
        }
        long start = System.nanoTime();
        GgmlType base = model.weights().layer(0).wq().type();
        List<GgmlType> below = PrecisionLevels.parse(config.levels()).types().stream()
                .filter(t -> t.bytesFor(t.blockSize()) * 1.0 / t.blockSize() < base.bytesFor(base.blockSize()) * 1.0 / base.blockSize())
                .toList();
        if (below.isEmpty()) {
            LOG.infof("morphing off: the model is %s and no level of morphserve.morph.levels=%s is below it", base, config.levels());
            mode = MorphMode.OFF;
            return null;
        }
        PrecisionLevels levels = new PrecisionLevels(below);
        runtime = MorphRuntime.open(model, backend, levels);
        HostTier tier = runtime.tier();
        layerBytes = new long[tier.numLayers()][tier.lowestLevel() + 1];
        for (int l = 0; l < tier.numLayers(); l++) {
            for (int level = 0; level <= tier.lowestLevel(); level++) {
                layerBytes[l][level] = tier.bytes(l, level);
            }
        }
        order = config.profile().isPresent()
                ? new SwapOrder(LayerProfile.read(Path.of(config.profile().get())).swapOrder(), true, "LIS profile " + Path.of(config.profile().get()).getFileName())
                : LayerProfile.loadOrDefault(modelPath, model.config().numLayers());
        LOG.infof("morphing ready in %.0f ms: %d layers at %s, levels %s (%.1f MB host tier), %.1f MB resident, swap order %s (%s), mode %s",
                (System.nanoTime() - start) / 1e6, tier.numLayers(), base, levels, tier.quantizedBytes() / 1e6,
                runtime.residency().residentBytes() / 1e6, order.layers(), order.source(), mode);
        return runtime.table();
    }

    /** Completes morphing once the engine runs: the budget split and the engine to send commands to. */
    public void attach(MemoryAccount account, MorphEngine engine) {
        this.account = account;
        this.engine = engine;
        if (runtime != null) {
            swapper = runtime.swapper(account, commands::onEvent);
        }
    }

    void onStop(@Observes @Priority(8) ShutdownEvent event) {
        if (runtime != null) {
            runtime.close();
        }
    }

    public boolean enabled() {
        return runtime != null;
    }

    /** The residency whose bytes the memory account reads (null when morphing is off). */
    public LayerResidency residency() {
        return enabled() ? runtime.residency() : null;
    }

    /** Decoder layers morphing manages (0 when it is off). */
    public int numLayers() {
        return enabled() ? layerBytes.length : 0;
    }

    /** The budget's parts now (null before the engine started): what the metrics sample. */
    public MemoryBudget budget() {
        return account == null ? null : account.now(engine.stats().kvBytes());
    }

    /** Bytes kept free for a swap's copy (0 when morphing is off). */
    public long stagingBytes() {
        return enabled() ? runtime.tier().largestStepDownBytes() : 0;
    }

    public StepHook hook() {
        return enabled() ? swapper : StepHook.NONE;
    }

    LayerSwapper swapper() {
        return swapper;
    }

    MorphEngine engine() {
        return engine;
    }

    public MorphMode mode() {
        return mode;
    }

    public void setMode(MorphMode mode) {
        if (!enabled() && mode != MorphMode.OFF) {
            throw new IllegalStateException("morphing is not available (morphserve.morph.enabled=false, or no level below the model's precision): only mode off is possible");
        }
        this.mode = mode;
    }

    /** What the controller's policy reads. */
    MorphPolicy.LayerView layerView() {
        return new MorphPolicy.LayerView(order.layers(), swapper.levels(), swapper.movingLayers(), layerBytes,
                engine.kvLayout().blockBytes(), swapper.idleGrownChunks());
    }

    /** One consistent picture for the API and metrics. */
    public MorphState state() {
        EngineStats stats = engine == null ? EngineStats.EMPTY : engine.stats();
        var kv = engine == null ? null : new MorphState.Kv(engine.kvLayout().type().name(), stats.numKvChunks(), stats.totalBlocks(),
                stats.freeBlocks(), engine.kvLayout().blockSize(), stats.kvBytes());
        List<MorphState.Layer> layers = new ArrayList<>();
        List<Integer> swapped = new ArrayList<>();
        if (swapper != null) {
            int[] levels = swapper.levels();
            Set<Integer> moving = swapper.movingLayers();
            for (int l = 0; l < levels.length; l++) {
                if (levels[l] > 0) {
                    swapped.add(l);
                }
                String movingTo = moving.contains(l) ? (movingDown(l) ? "down" : "up") : null;
                layers.add(new MorphState.Layer(l, runtime.tier().type(l, levels[l]).name(), levels[l], levels[l] > 0 ? "swapped" : "resident", movingTo));
            }
        }
        HostTier tier = enabled() ? runtime.tier() : null;
        return new MorphState(enabled(), mode, enabled() ? tier.levels().toString() : "", enabled() ? order.layers() : List.of(),
                enabled() ? order.source() : "", swapped, layers, kv,
                new MorphState.Queue(stats.numWaiting(), stats.numRunning(), stats.numPreemptions()), account == null ? null : account.now(stats.kvBytes()),
                backend == null ? null : backend.kind().name().toLowerCase(Locale.ROOT), backend == null ? null : backend.memory(), enabled() ? tier.quantizedBytes() : 0, recentEvents());
    }

    private boolean movingDown(int layer) {
        LayerResidency residency = runtime.residency();
        return residency.isMoving(layer) && residency.pendingLevel(layer) > residency.level(layer);
    }

    public synchronized List<MorphEvent> recentEvents() {
        return List.copyOf(recent);
    }

    /** Every applied, accepted or refused event: kept for GET /v1/morph and logged. */
    @ConsumeEvent(MorphCommands.APPLIED)
    void onEvent(MorphEvent event) {
        synchronized (this) {
            recent.addLast(event);
            if (recent.size() > RECENT_EVENTS) {
                recent.removeFirst();
            }
        }
        LOG.infof("morph #%d %s layer %d %s: %s (%.1f ms after the decision%s, KV %+d blocks -> %d)", event.commandId(),
                event.action().wireName(), event.layer(), event.outcome().wireName(), event.detail(), event.latencyNanos() / 1e6,
                event.copyNanos() > 0 ? ", copy %.2f ms".formatted(event.copyNanos() / 1e6) : "", event.kvBlocksDelta(), event.totalKvBlocks());
    }
}
