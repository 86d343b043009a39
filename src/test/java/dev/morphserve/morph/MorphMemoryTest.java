package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.testing.MorphTestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget on real quantized levels (an F32 model stepping to Q8_0 then Q4_0): a swap frees
 * what the higher variant takes minus what the lower one takes, the KV cache grows by exactly the
 * whole blocks that leaves, a swap-up takes KV back when the headroom is short, and the account
 * never exceeds the budget.
 */
class MorphMemoryTest {
    @TempDir
    Path tmp;

    private final List<MorphEvent> events = new ArrayList<>();

    @Test
    void swapsFreeTheDifferenceOfTheVariantsAndTheKvCacheTakesExactlyThat() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(tmp);
                CpuBackend backend = CpuBackend.create(1, KernelKind.VECTOR, KvType.F16);
                MorphRuntime runtime = MorphRuntime.open(model, backend, PrecisionLevels.parse("Q8_0,Q4_0"))) {
            HostTier tier = runtime.tier();
            KvLayout layout = backend.kvLayout(model.config(), 16);
            long layers = runtime.residency().residentBytes();
            long staging = tier.largestStepDownBytes();
            int blocks = 8;
            MemoryAccount account = MemoryAccount.split(OptionalLong.of(layers + staging + blocks * layout.blockBytes()), 0, layers, 0, 0,
                    staging, layout, 16, 0, runtime.residency());
            assertThat(account.initialKvBlocks()).isEqualTo(blocks);
            LayerSwapper swapper = runtime.swapper(account, events::add);
            try (BlockPool pool = new BlockPool(layout, blocks)) {
                StepBoundary boundary = boundary(pool);

                long before = pool.byteSize();
                assertThat(run(swapper, boundary, new MorphCommand.SwapDown(1, 0, MorphCommand.Origin.MANUAL, System.nanoTime(), "test")).outcome())
                        .isEqualTo(MorphOutcome.APPLIED);
                long freed = tier.bytes(0, 0) - tier.bytes(0, 1);
                assertThat(freed).isPositive();
                assertThat(pool.byteSize() - before).isEqualTo(freed / layout.blockBytes() * layout.blockBytes());
                assertThat(runtime.residency().type(0).name()).isEqualTo("Q8_0");
                assertThat(account.now(pool.byteSize()).layerBytes()).isEqualTo(layers - freed);
                assertThat(account.now(pool.byteSize()).withinBudget()).isTrue();

                run(swapper, boundary, new MorphCommand.SwapDown(2, 0, MorphCommand.Origin.MANUAL, System.nanoTime(), "test"));
                assertThat(runtime.residency().type(0).name()).isEqualTo("Q4_0");
                assertThat(account.now(pool.byteSize()).withinBudget()).isTrue();
                MorphEvent lowest = run(swapper, boundary, new MorphCommand.SwapDown(3, 0, MorphCommand.Origin.MANUAL, System.nanoTime(), "test"));
                assertThat(lowest.outcome()).isEqualTo(MorphOutcome.REFUSED);
                assertThat(lowest.detail()).contains("lowest level");

                run(swapper, boundary, new MorphCommand.SwapUp(4, 0, MorphCommand.Origin.MANUAL, System.nanoTime(), "test"));
                MorphEvent up = run(swapper, boundary, new MorphCommand.SwapUp(5, 0, MorphCommand.Origin.MANUAL, System.nanoTime(), "test"));
                assertThat(up.outcome()).isEqualTo(MorphOutcome.APPLIED);
                assertThat(runtime.residency().level(0)).isZero();
                assertThat(events).anyMatch(e -> e.action() == MorphAction.KV_SHRINK && e.applied());
                assertThat(account.now(pool.byteSize()).withinBudget()).isTrue();
                assertThat(account.now(pool.byteSize()).layerBytes()).isEqualTo(layers);
            }
        }
    }

    @Test
    void aCopyThatCannotStartIsRefusedAndChangesNothing() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(tmp);
                CpuBackend backend = CpuBackend.create(1, KernelKind.VECTOR, KvType.F16);
                HostTier tier = HostTier.build(model.weights(), PrecisionLevels.parse("Q4_0"), v -> backend.hostTier(backend.prepare(v)))) {
            // The base uploads succeed; the Q4_0 one fails the way a full device refuses an allocation.
            LayerResidency residency = LayerResidency.allBase(tier, v -> {
                if (v == tier.variant(0, 1)) {
                    throw new IllegalStateException("cannot allocate 0.1 MB on the device");
                }
                return backend.upload(v);
            });
            KvLayout layout = backend.kvLayout(model.config(), 16);
            MemoryAccount account = MemoryAccount.split(OptionalLong.empty(), 0, residency.residentBytes(), 0, 0,
                    tier.largestStepDownBytes(), layout, 16, 128, residency);
            LayerSwapper swapper = new LayerSwapper(backend.tableWithLayers(model, residency.residentLayers()), residency, account, events::add);
            try (BlockPool pool = new BlockPool(layout, account.initialKvBlocks())) {
                MorphEvent refused = swapper.apply(new MorphCommand.SwapDown(1, 0, MorphCommand.Origin.MANUAL, System.nanoTime(), "test"),
                        boundary(pool));
                assertThat(refused.outcome()).isEqualTo(MorphOutcome.REFUSED);
                assertThat(refused.detail()).contains("cannot allocate 0.1 MB");
                assertThat(residency.level(0)).isZero();
                assertThat(residency.isMoving(0)).isFalse();
            } finally {
                residency.close();
            }
        }
    }

    /** Starts the command at a boundary, then runs boundaries until the copy is switched in; returns its final event. */
    private MorphEvent run(LayerSwapper swapper, StepBoundary boundary, MorphCommand command) throws InterruptedException {
        MorphEvent first = swapper.apply(command, boundary);
        if (first.outcome().isFinal()) {
            return first;
        }
        while (true) {
            swapper.beforeStep(boundary);
            for (MorphEvent e : events) {
                if (e.commandId() == command.id() && e.action() == command.action() && e.outcome().isFinal()) {
                    return e;
                }
            }
            Thread.sleep(1);
        }
    }

    private static StepBoundary boundary(BlockPool pool) {
        return new StepBoundary() {
            @Override
            public BlockPool pool() {
                return pool;
            }

            @Override
            public List<BlockTable> liveBlockTables() {
                return List.of();
            }
        };
    }
}
