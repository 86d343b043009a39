package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineSettings;
import dev.morphserve.engine.GenerationEvent;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.SamplingParams;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.StepHook;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import dev.morphserve.model.WeightsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Morphing every step under concurrent load, on the repacked kernel layout. The low variants here
 * are exact copies of the base weights, so any difference in the generated tokens can only come from lost or corrupted KV
 * state: requests must produce exactly what they produce without morphing, with no preemption
 * (no recompute) and with the invariants holding before every step.
 */
class MorphUnderLoadTest {
    @TempDir
    static Path tmp;

    private static LoadedModel model;
    private static CpuBackend backend;

    @BeforeAll
    static void load() throws Exception {
        Path path = tmp.resolve("small-q8_0.gguf");
        SyntheticModel.write(ModelShape.SMALL, GgmlType.Q8_0, 5, path, n -> {});
        model = ModelLoader.load(path);
        backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
    }

    @AfterAll
    static void close() {
        backend.close();
        model.close();
    }

    private static List<GenerationRequest> requests() {
        SplittableRandom random = new SplittableRandom(17);
        List<GenerationRequest> list = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int[] prompt = random.ints(8 + random.nextInt(40), 3, model.config().vocabSize()).toArray();
            list.add(new GenerationRequest("r" + i, prompt, SamplingParams.greedy(), 30 + random.nextInt(30), true));
        }
        return list;
    }

    private static int[] tokens(List<GenerationEvent> events) {
        return events.stream().filter(e -> e instanceof GenerationEvent.Token).mapToInt(e -> ((GenerationEvent.Token) e).tokenId()).toArray();
    }

    private static List<List<GenerationEvent>> runAll(Engine engine, List<GenerationRequest> requests) throws Exception {
        var futures = requests.stream().map(r -> engine.generate(r).collect().asList().subscribeAsCompletionStage()).toList();
        List<List<GenerationEvent>> results = new ArrayList<>();
        for (var f : futures) {
            results.add(f.get(120, java.util.concurrent.TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void requestsSurviveMorphingEveryStepWithTheirKvIntact() throws Exception {
        List<GenerationRequest> requests = requests();
        List<int[]> expected = new ArrayList<>();
        try (Engine plain = new Engine(backend.runner(model), model.tokenizer().vocabulary(),
                new BlockPool(backend.kvLayout(model.config(), 16), 200), new EngineSettings(16, 64, 64, 256, 1 << 20))) {
            for (var result : runAll(plain, requests)) {
                expected.add(tokens(result));
            }
        }

        int numLayers = model.config().numLayers();
        LayerWeights[] sources = new LayerWeights[numLayers];
        LayerWeights[] lows = new LayerWeights[numLayers];
        for (int l = 0; l < numLayers; l++) {
            sources[l] = model.weights().layer(l);
            lows[l] = backend.prepare(sources[l]);
        }
        ExecutorService copier = Executors.newSingleThreadExecutor();
        List<MorphEvent> events = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        try (LayerResidency residency = new LayerResidency(sources, lows, backend::materialize)) {
            WeightsTable table = backend.tableWithLayers(model, residency.residentLayers());
            LayerSwapper swapper = new LayerSwapper(table, residency, copier, events::add);
            SplittableRandom random = new SplittableRandom(23);
            // The budget the morphing run must stay within: all base copies resident plus the initial pool.
            long[] budgetBytes = {residency.residentBytes() + backend.kvLayout(model.config(), 16).blockBytes() * 200L};
            StepHook morphEveryStep = new StepHook() {
                @Override
                public void beforeStep(StepBoundary boundary) {
                    swapper.beforeStep(boundary);
                    checkInvariants(boundary, residency, table, swapper, violations);
                    checkBudget(boundary, residency, swapper, budgetBytes[0], violations);
                    int layer = random.nextInt(numLayers);
                    MorphCommand command = residency.isResident(layer)
                            ? new MorphCommand.SwapDown(layer, System.nanoTime(), "test")
                            : new MorphCommand.SwapUp(layer, System.nanoTime(), "test");
                    swapper.apply(command, boundary);
                    checkInvariants(boundary, residency, table, swapper, violations);
                    checkBudget(boundary, residency, swapper, budgetBytes[0], violations);
                }

                @Override
                public int numSwappedLayers() {
                    return swapper.numSwappedLayers();
                }
            };
            try (Engine morphing = new Engine(backend.runner(model.config(), table), model.tokenizer().vocabulary(),
                    new BlockPool(backend.kvLayout(model.config(), 16), 200), new EngineSettings(16, 64, 64, 256, 1 << 20), morphEveryStep)) {
                List<List<GenerationEvent>> results = runAll(morphing, requests);
                for (int i = 0; i < requests.size(); i++) {
                    assertThat(tokens(results.get(i))).as("request %d", i).containsExactly(expected.get(i));
                    var finished = (GenerationEvent.Finished) results.get(i).getLast();
                    assertThat(finished.completionTokens()).isEqualTo(requests.get(i).maxTokens());
                    assertThat(finished.swappedTokens()).isBetween(0, finished.completionTokens());
                }
                assertThat(morphing.stats().numPreemptions()).as("no KV was recomputed").isZero();
            }
        } finally {
            copier.shutdownNow();
        }
        assertThat(violations).isEmpty();
        assertThat(events).anyMatch(e -> e.action().equals("swap_down") && e.applied() && e.kvBlocksDelta() > 0);
        assertThat(events).anyMatch(e -> e.action().equals("kv_shrink") && e.applied() && !e.detail().contains("moving 0 live"));
        assertThat(events).anyMatch(e -> e.action().equals("swap_up") && e.applied());
    }

    /** Resident weights, copies on their way back and the KV pool never add up to more than the budget. */
    static void checkBudget(StepBoundary boundary, LayerResidency residency, LayerSwapper swapper, long budgetBytes, List<String> violations) {
        long used = residency.residentBytes() + swapper.inFlightBytes() + boundary.pool().byteSize();
        if (used > budgetBytes) {
            violations.add("budget exceeded: " + used + " > " + budgetBytes);
        }
    }

    /** No block both free and used; tables point only into attached chunks; bytes match variants. */
    static void checkInvariants(StepBoundary boundary, LayerResidency residency, WeightsTable table, LayerSwapper swapper,
            List<String> violations) {
        BlockPool pool = boundary.pool();
        Set<Integer> used = new HashSet<>();
        for (BlockTable t : boundary.liveBlockTables()) {
            for (int id : t.toArray()) {
                if (!pool.isAttached(id)) {
                    violations.add("block " + id + " is not in an attached chunk");
                }
                if (!used.add(id)) {
                    violations.add("block " + id + " is in two tables");
                }
            }
        }
        Set<Integer> free = new HashSet<>(pool.freeBlockIds());
        for (int id : used) {
            if (free.contains(id)) {
                violations.add("block " + id + " is both free and used");
            }
        }
        if (free.size() + used.size() != pool.numTotalBlocks()) {
            violations.add("free " + free.size() + " + used " + used.size() + " != total " + pool.numTotalBlocks());
        }
        long expectedResident = 0;
        for (int l = 0; l < residency.numLayers(); l++) {
            boolean resident = residency.isResident(l);
            if (resident) {
                expectedResident += residency.baseBytes(l);
                if (table.layer(l) != residency.base(l)) {
                    violations.add("layer " + l + " is resident but the table runs another variant");
                }
            } else if (table.layer(l) != residency.low(l)) {
                violations.add("layer " + l + " is swapped but the table does not run its low variant");
            }
        }
        if (expectedResident != residency.residentBytes()) {
            violations.add("resident bytes " + residency.residentBytes() + " != " + expectedResident);
        }
    }
}
