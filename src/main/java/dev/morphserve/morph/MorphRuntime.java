package dev.morphserve.morph;

import dev.morphserve.backend.Backend;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.WeightsTable;
import java.util.function.Consumer;

/**
 * The pieces a morphing model needs, built in order on one backend: the host tier (every variant,
 * outside the budget), the residency (every layer's base copied in) and the weights table a runner
 * runs. The server, the swap-cost bench and the tests build it the same way.
 */
public record MorphRuntime(HostTier tier, LayerResidency residency, WeightsTable table) implements AutoCloseable {

    public static MorphRuntime open(LoadedModel model, Backend backend, PrecisionLevels levels) {
        HostTier tier = HostTier.build(model.weights(), levels, v -> backend.hostTier(backend.prepare(v)));
        try {
            LayerResidency residency = LayerResidency.allBase(tier, backend::upload);
            return new MorphRuntime(tier, residency, backend.tableWithLayers(model, residency.residentLayers()));
        } catch (RuntimeException e) {
            tier.close();
            throw e;
        }
    }

    /** The swapper over this runtime's table, within {@code account}, reporting to {@code events}. */
    public LayerSwapper swapper(MemoryAccount account, Consumer<MorphEvent> events) {
        return new LayerSwapper(table, residency, account, events);
    }

    @Override
    public void close() {
        residency.close();
        tier.close();
    }
}
