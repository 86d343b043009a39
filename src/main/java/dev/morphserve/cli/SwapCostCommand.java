package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.bench.SwapCostBench;
import dev.morphserve.bench.SwapCostBench.Work;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.morph.LayerSwapper;
import dev.morphserve.morph.MemoryAccount;
import dev.morphserve.morph.MorphAction;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.morph.MorphRuntime;
import dev.morphserve.morph.PrecisionLevels;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "swap-cost", mixinStandardHelpOptions = true,
        description = "Steps every layer down and back up while a batch decodes; reports step stalls, decision-to-applied latency and copy time.")
final class SwapCostCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--streams", defaultValue = "8", description = "Requests decoding during the swaps.")
    int streams;

    @Option(names = "--level", defaultValue = "Q4_0", description = "The precision each layer steps down to: Q4_0, Q4_K or Q8_0.")
    String level;

    @Override
    public Integer call() throws Exception {
        PrecisionLevels levels = PrecisionLevels.parse(level);
        try (LoadedModel model = modelOptions.load();
                Backend backend = modelOptions.openBackend();
                MorphRuntime runtime = MorphRuntime.open(model, backend, levels)) {
            int numLayers = model.config().numLayers();
            List<MorphEvent> events = new CopyOnWriteArrayList<>();
            var layout = backend.kvLayout(model.config(), 16);
            int context = model.config().contextLength();
            long layerBytes = runtime.residency().residentBytes();
            MemoryAccount account = MemoryAccount.split(OptionalLong.empty(), 0, layerBytes, 0, 0, runtime.tier().largestStepDownBytes(),
                    layout, context, context * streams, runtime.residency());
            LayerSwapper swapper = runtime.swapper(account, events::add);
            BlockPool pool = new BlockPool(layout, account.initialKvBlocks(), backend.kvStorage()); // the bench's engine closes it
            var result = SwapCostBench.run(backend.runner(model.config(), runtime.table()), model.tokenizer().vocabulary(), pool, swapper,
                    events, numLayers, streams, System.err::println);
            System.out.printf("| %s | streams | normal step p50 (ms) | step starting a copy, p50 / max (ms) | step during a copy, p50 / max (ms) "
                    + "| step after a switch, p50 / max (ms) | swap-down latency mean / max (ms) | swap-up latency mean / max (ms) "
                    + "| copy per layer down / up, mean (ms) |%n", model.file().path().getFileName());
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            System.out.printf("| %s -> %s | %d | %.2f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.1f / %.1f | %.1f / %.1f | %.2f / %.2f |%n",
                    model.weights().layer(0).wq().type(), levels, streams, result.medianNormalStepMs(), result.medianStepMs(Work.START),
                    result.maxStepMs(Work.START), result.medianStepMs(Work.COPYING), result.maxStepMs(Work.COPYING),
                    result.medianStepMs(Work.SWITCH), result.maxStepMs(Work.SWITCH), result.meanLatencyMs(MorphAction.SWAP_DOWN),
                    result.maxLatencyMs(MorphAction.SWAP_DOWN), result.meanLatencyMs(MorphAction.SWAP_UP), result.maxLatencyMs(MorphAction.SWAP_UP),
                    result.meanCopyMs(MorphAction.SWAP_DOWN), result.meanCopyMs(MorphAction.SWAP_UP));
            return 0;
        }
    }
}
