package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineSettings;
import dev.morphserve.engine.GenerationEvent;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.SamplingParams;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.StepHook;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.testing.SmallCpuModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Morphing every step under concurrent load, on the repacked kernel layout: swaps both ways,
 * idle-KV shrinks and KV shrinks that move live blocks. The variants here compute exactly what the
 * base does (Q8_0 below a Q8_0 model), so any difference in the generated tokens can only come
 * from lost or corrupted KV state: requests must produce exactly what they produce without
 * morphing, with no preemption (no recompute), the block invariants and the budget holding at
 * every boundary.
 */
class MorphUnderLoadTest {
    @RegisterExtension
    static final SmallCpuModel SMALL = new SmallCpuModel(5);

    private static List<GenerationRequest> requests() {
        SplittableRandom random = new SplittableRandom(17);
        List<GenerationRequest> list = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int[] prompt = random.ints(8 + random.nextInt(40), 3, SMALL.model().config().vocabSize()).toArray();
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
        try (Engine plain = new Engine(SMALL.backend().runner(SMALL.model()), SMALL.model().tokenizer().vocabulary(),
                new BlockPool(SMALL.backend().kvLayout(SMALL.model().config(), 16), 200), new EngineSettings(16, 64, 64, 256, 1 << 20))) {
            for (var result : runAll(plain, requests)) {
                expected.add(tokens(result));
            }
        }

        int numLayers = SMALL.model().config().numLayers();
        List<MorphEvent> events = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        // Q8_0 below a Q8_0 model is the model's own tensors: the variants compute exactly what the base does.
        try (MorphRuntime runtime = MorphRuntime.open(SMALL.model(), SMALL.backend(), PrecisionLevels.parse("Q8_0"))) {
            LayerResidency residency = runtime.residency();
            WeightsTable table = runtime.table();
            KvLayout layout = SMALL.backend().kvLayout(SMALL.model().config(), 16);
            // The pool starts at 200 blocks and the budget holds 264: the rest is headroom that swap-downs hand to the KV cache.
            long spare = 64 * layout.blockBytes();
            long budget = residency.residentBytes() + runtime.tier().largestStepDownBytes() + 200 * layout.blockBytes() + spare;
            MemoryAccount account = MemoryAccount.split(OptionalLong.of(budget), 0, residency.residentBytes(), 0, 0,
                    runtime.tier().largestStepDownBytes(), layout, 64, 0, residency);
            LayerSwapper swapper = runtime.swapper(account, events::add);
            KvResizer resizer = new KvResizer();
            SplittableRandom random = new SplittableRandom(23);
            long[] ids = {1};
            StepHook morphEveryStep = new StepHook() {
                @Override
                public void beforeStep(StepBoundary boundary) {
                    swapper.beforeStep(boundary);
                    checkInvariants(boundary, residency, table, violations);
                    checkBudget(boundary, account, violations);
                    int layer = random.nextInt(numLayers);
                    var origin = MorphCommand.Origin.MANUAL;
                    switch (random.nextInt(4)) {
                        case 0 -> swapper.apply(new MorphCommand.SwapDown(ids[0]++, layer, origin, System.nanoTime(), "test"), boundary);
                        case 1 -> swapper.apply(new MorphCommand.SwapUp(ids[0]++, layer, origin, System.nanoTime(), "test"), boundary);
                        case 2 -> swapper.apply(new MorphCommand.ShrinkKv(ids[0]++, origin, System.nanoTime(), "test"), boundary);
                        default -> events.add(shrinkEvent(resizer.shrink(boundary, layout.blockBytes()), ids[0]++));
                    }
                    checkInvariants(boundary, residency, table, violations);
                    checkBudget(boundary, account, violations);
                }

                @Override
                public int numSwappedLayers() {
                    return swapper.numSwappedLayers();
                }
            };
            try (Engine morphing = new Engine(SMALL.backend().runner(SMALL.model().config(), table), SMALL.model().tokenizer().vocabulary(),
                    new BlockPool(layout, 200), new EngineSettings(16, 64, 64, 256, 1 << 20), morphEveryStep)) {
                List<List<GenerationEvent>> results = runAll(morphing, requests);
                for (int i = 0; i < requests.size(); i++) {
                    assertThat(tokens(results.get(i))).as("request %d", i).containsExactly(expected.get(i));
                    var finished = (GenerationEvent.Finished) results.get(i).getLast();
                    assertThat(finished.completionTokens()).isEqualTo(requests.get(i).maxTokens());
                    assertThat(finished.swappedTokens()).isBetween(0, finished.completionTokens());
                }
                assertThat(morphing.stats().numPreemptions()).as("no KV was recomputed").isZero();
            }
        }
        assertThat(violations).isEmpty();
        assertThat(events).anyMatch(e -> e.action() == MorphAction.SWAP_DOWN && e.applied());
        assertThat(events).anyMatch(e -> e.action() == MorphAction.KV_GROW && e.applied() && e.kvBlocksDelta() > 0);
        assertThat(events).anyMatch(e -> e.action() == MorphAction.KV_SHRINK && e.applied() && e.detail().startsWith("moved") && !e.detail().startsWith("moved 0 "));
        assertThat(events).anyMatch(e -> e.action() == MorphAction.SWAP_UP && e.applied());
    }

    private static MorphEvent shrinkEvent(KvResizer.Resize r, long id) {
        return new MorphEvent(id, MorphAction.KV_SHRINK, r.blocksDelta() == 0 ? MorphOutcome.REFUSED : MorphOutcome.APPLIED, -1, null, null,
                "moved " + r.blocksMoved() + " live blocks", 0, 0, r.blocksDelta(), 0, List.of(), 0);
    }

    /** Everything resident (variants, copies in flight, the KV pool) never adds up to more than the budget. */
    static void checkBudget(StepBoundary boundary, MemoryAccount account, List<String> violations) {
        MemoryBudget budget = account.now(boundary.pool().byteSize());
        if (!budget.withinBudget()) {
            violations.add("budget exceeded: " + budget);
        }
    }

    /** No block both free and used; tables point only into attached chunks; bytes match variants. */
    static void checkInvariants(StepBoundary boundary, LayerResidency residency, WeightsTable table, List<String> violations) {
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
        for (int l = 0; l < residency.numLayers(); l++) {
            if (table.layer(l) != residency.residentLayers()[l]) {
                violations.add("layer " + l + " is at level " + residency.level(l) + " but the table runs another variant");
            }
        }
    }
}
