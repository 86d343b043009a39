package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.bench.SwapCostBench;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.morph.LayerResidency;
import dev.morphserve.morph.LayerSwapper;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.morph.MorphEvent;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "swap-cost", mixinStandardHelpOptions = true,
        description = "Swaps every layer down and back up while a batch decodes; reports step stalls and decision-to-applied latency.")
final class SwapCostCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--streams", defaultValue = "8", description = "Requests decoding during the swaps.")
    int streams;

    @Option(names = "--low-type", defaultValue = "Q4_0", description = "Low variant: Q4_0 or Q8_0.")
    GgmlType lowType;

    @Override
    public Integer call() throws Exception {
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend();
                LayerVariants variants = LayerVariants.quantize(model.weights(), lowType)) {
            int numLayers = model.config().numLayers();
            var copier = Executors.newSingleThreadExecutor();
            List<MorphEvent> events = new CopyOnWriteArrayList<>();
            try (LayerResidency residency = LayerResidency.of(model.weights(), variants, backend::prepare, backend::materialize)) {
                WeightsTable table = backend.tableWithLayers(model, residency.residentLayers());
                LayerSwapper swapper = new LayerSwapper(table, residency, copier, events::add);
                var layout = backend.kvLayout(model.config(), 16);
                BlockPool pool = new BlockPool(layout, layout.blocksFor(model.config().contextLength()) * streams, backend.kvStorage());
                var result = SwapCostBench.run(backend.runner(model.config(), table), model.tokenizer().vocabulary(), pool, swapper,
                        events, numLayers, streams, System.err::println);
                System.out.printf("| %s | streams | normal step p50 (ms) | max step with swap-down (ms) | max step with KV shrink (ms) "
                        + "| max step with swap-up switch (ms) | swap-down latency mean / max (ms) | swap-up latency mean / max (ms) |%n",
                        model.file().path().getFileName());
                System.out.println("|---|---|---|---|---|---|---|---|");
                System.out.printf("| %s -> %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f / %.1f | %.1f / %.1f |%n",
                        model.weights().layer(0).wq().type(), lowType, streams, result.medianNormalStepMs(), result.maxStepMs("swap_down"),
                        result.maxStepMs("kv_shrink"), result.maxStepMs("swap_up_switch"), result.meanLatencyMs("swap_down"),
                        result.maxLatencyMs("swap_down"), result.meanLatencyMs("swap_up"), result.maxLatencyMs("swap_up"));
            } finally {
                copier.shutdownNow();
            }
            return 0;
        }
    }
}
