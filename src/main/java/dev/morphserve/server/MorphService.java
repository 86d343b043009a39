package dev.morphserve.server;

import dev.morphserve.engine.StepHook;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.morph.LayerBytes;
import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.LayerResidency;
import dev.morphserve.morph.LayerSwapper;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.morph.MemoryBudget;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.morph.MorphMode;
import dev.morphserve.morph.SwapOrder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Owns what morphing needs at run time: every layer's low variant (host tier), the resident base
 * copies (budget), the weights table the engine runs, the swap order, and the layer swapper that
 * the engine thread drives. Built at start-up, after the model and before the engine.
 */
@ApplicationScoped
public class MorphService {
    private static final Logger LOG = Logger.getLogger(MorphService.class);
    private static final int RECENT_EVENTS = 50;

    private final ModelService models;
    private final MorphConfig config;
    private final Deque<MorphEvent> recent = new ArrayDeque<>();
    private final List<Consumer<MorphEvent>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile MorphMode mode;
    private LayerVariants variants;
    private LayerResidency residency;
    private LayerSwapper swapper;
    private WeightsTable table;
    private List<Integer> swapOrder;
    private String orderSource;
    private ExecutorService copier;

    MorphService(ModelService models, MorphConfig config) {
        this.models = models;
        this.config = config;
        this.mode = config.mode();
    }

    void onStart(@Observes @Priority(15) StartupEvent event) throws java.io.IOException {
        if (!config.enabled()) {
            mode = MorphMode.OFF;
            return;
        }
        LoadedModel model = models.model();
        long start = System.nanoTime();
        int numLayers = model.config().numLayers();
        variants = LayerVariants.quantize(model.weights(), config.lowType());
        residency = LayerResidency.of(model.weights(), variants, models::prepare, models::materialize);
        table = models.tableWithLayers(residency.residentLayers());
        copier = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("morphserve-weight-copier").daemon().factory());
        swapper = new LayerSwapper(table, residency, copier, this::record);
        SwapOrder order = config.profile().isPresent()
                ? new SwapOrder(LayerProfile.read(Path.of(config.profile().get())).swapOrder(), true, "LIS profile " + config.profile().get())
                : LayerProfile.loadOrDefault(models.modelPath(), numLayers);
        swapOrder = order.layers();
        orderSource = order.source();
        LOG.infof("morphing ready in %.0f ms: %d layers, low variants %s (%.1f MB host tier), %.1f MB resident, swap order %s (%s), mode %s",
                (System.nanoTime() - start) / 1e6, numLayers, config.lowType(), variants.bytesReport().stream().mapToLong(LayerBytes::lowBytes).sum() / 1e6,
                residency.residentBytes() / 1e6, swapOrder, orderSource, mode);
    }

    void onStop(@Observes @Priority(8) ShutdownEvent event) {
        if (copier != null) {
            copier.shutdownNow();
            residency.close();
            variants.close();
        }
    }

    public boolean enabled() {
        return swapper != null;
    }

    /** The runner the engine should use: over the morphable table when enabled. */
    public ModelRunner runner() {
        return enabled() ? models.runner(table) : models.runner();
    }

    public StepHook hook() {
        return enabled() ? swapper : StepHook.NONE;
    }

    public LayerSwapper swapper() {
        return swapper;
    }

    public LayerResidency residency() {
        return residency;
    }

    public List<Integer> swapOrder() {
        return swapOrder;
    }

    public String swapOrderSource() {
        return orderSource;
    }

    public MorphMode mode() {
        return mode;
    }

    public void setMode(MorphMode mode) {
        if (!enabled() && mode != MorphMode.OFF) {
            throw new IllegalStateException("morphing is disabled (morphserve.morph.enabled=false): only mode OFF is possible");
        }
        this.mode = mode;
    }

    public List<Integer> swappedLayers() {
        return enabled() ? swapper.swappedLayers() : List.of();
    }

    /** Layer bytes a swap-down frees (all layers share a shape; the first is representative). */
    public long bytesPerLayer() {
        return enabled() ? residency.baseBytes(0) : 0;
    }

    public int numLayers() {
        return models.model().config().numLayers();
    }

    public GgmlType lowType() {
        return config.lowType();
    }

    /** The type a layer's base variant is stored in (its query projection's). */
    public GgmlType baseType(int layer) {
        return models.model().weights().layer(layer).wq().type();
    }

    /** Where the budget goes now; {@code kvBytes} from the engine's latest statistics. */
    public MemoryBudget budget(KvSizing sizing, long kvBytes) {
        var weights = models.model().weights();
        long layerBytes = 0;
        for (int l = 0; l < weights.numLayers(); l++) {
            layerBytes += weights.layer(l).matrixBytes();
        }
        long other = sizing.weightBytes() - layerBytes;
        long resident = enabled() ? residency.residentBytes() : layerBytes;
        long inFlight = enabled() ? swapper.inFlightBytes() : 0;
        return new MemoryBudget(sizing.budgetBytes(), other, resident, inFlight, kvBytes, sizing.reserveBytes());
    }

    public synchronized List<MorphEvent> recentEvents() {
        return List.copyOf(recent);
    }

    public void addListener(Consumer<MorphEvent> listener) {
        listeners.add(listener);
    }

    private void record(MorphEvent event) {
        synchronized (this) {
            recent.addLast(event);
            if (recent.size() > RECENT_EVENTS) {
                recent.removeFirst();
            }
        }
        LOG.infof("morph %s layer %d %s: %s (%.1f ms after the decision, KV %+d blocks -> %d)", event.action(), event.layer(),
                event.applied() ? "applied" : "refused", event.detail(), event.latencyNanos() / 1e6, event.kvBlocksDelta(),
                event.totalKvBlocks());
        listeners.forEach(l -> l.accept(event));
    }
}
