package dev.morphserve.kvcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BlockPoolTest {
    private static KvLayout layout(KvType type) {
        return new KvLayout(2, 4, 3, type); // 2 layers, 4 tokens per block, kvDim 3
    }

    /** What a test does with one K/V element pair of a block: where it is and the value that names it. */
    private interface ElementVisitor {
        void visit(MemorySegment keys, MemorySegment values, long at, int value);
    }

    /** Visits every K and V element of a block; {@code value} names (tag, layer, element). */
    private static void forEachElement(BlockPool pool, int block, int tag, ElementVisitor visitor) {
        KvLayout layout = pool.layout();
        for (int layer = 0; layer < layout.numLayers(); layer++) {
            for (int i = 0; i < layout.blockSize() * layout.kvDim(); i++) {
                long at = pool.blockOffsetBytes(block) + (long) i * layout.elementBytes();
                visitor.visit(pool.keys(layer, block), pool.values(layer, block), at, tag + layer * 1000 + i);
            }
        }
    }

    /**
     * Writes a value that names (layer, block, row, column) into every K and V element of a block,
     * as a float or a short: the pool moves bytes and never reads them.
     */
    private static void stamp(BlockPool pool, int block, int tag) {
        boolean f32 = pool.layout().type() == KvType.F32;
        forEachElement(pool, block, tag, (keys, values, at, value) -> {
            if (f32) {
                keys.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, value);
                values.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, -value);
            } else {
                keys.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) value);
                values.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) -value);
            }
        });
    }

    private static void assertStamp(BlockPool pool, int block, int tag) {
        boolean f32 = pool.layout().type() == KvType.F32;
        forEachElement(pool, block, tag, (keys, values, at, value) -> {
            if (f32) {
                assertThat(keys.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at)).isEqualTo(value);
                assertThat(values.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at)).isEqualTo(-value);
            } else {
                assertThat(keys.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)).isEqualTo((short) value);
                assertThat(values.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)).isEqualTo((short) -value);
            }
        });
    }

    private static void assertAccounting(BlockPool pool, List<BlockTable> tables) {
        Set<Integer> used = new HashSet<>();
        for (BlockTable t : tables) {
            for (int id : t.toArray()) {
                assertThat(pool.isAttached(id)).as("block %d attached", id).isTrue();
                assertThat(used.add(id)).as("block %d used twice", id).isTrue();
            }
        }
        Set<Integer> free = new HashSet<>(pool.freeBlockIds());
        assertThat(free).doesNotContainAnyElementsOf(used);
        assertThat(free.size() + used.size()).isEqualTo(pool.numTotalBlocks());
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void detachingAChunkMovesLiveBlocksAndRewritesTables(KvType type) {
        try (BlockPool pool = new BlockPool(layout(type), 6)) {
            assertThat(pool.byteSize()).isEqualTo(6 * layout(type).blockBytes());
            KvChunk extra = pool.attachChunk(4);
            BlockTable a = new BlockTable();
            BlockTable b = new BlockTable();
            for (int i = 0; i < 3; i++) {
                a.add(pool.allocate());
                b.add(pool.allocate());
            }
            int live = (int) java.util.stream.IntStream.concat(java.util.Arrays.stream(a.toArray()), java.util.Arrays.stream(b.toArray()))
                    .filter(extra::owns).count();
            assertThat(live).as("the newest chunk is handed out first").isEqualTo(4);
            for (BlockTable t : List.of(a, b)) {
                for (int i = 0; i < t.size(); i++) {
                    stamp(pool, t.get(i), t == a ? 100 * i : 100 * i + 50);
                }
            }
            int moved = pool.detachChunk(extra, List.of(a, b));
            assertThat(moved).isEqualTo(4);
            assertThat(pool.numTotalBlocks()).isEqualTo(6);
            assertThat(pool.byteSize()).isEqualTo(6 * layout(type).blockBytes());
            assertThat(java.util.Arrays.stream(a.toArray()).noneMatch(extra::owns)).isTrue();
            assertThat(java.util.Arrays.stream(b.toArray()).noneMatch(extra::owns)).isTrue();
            for (int i = 0; i < 3; i++) {
                assertStamp(pool, a.get(i), 100 * i);
                assertStamp(pool, b.get(i), 100 * i + 50);
            }
            assertAccounting(pool, List.of(a, b));
        }
    }

    @Test
    void refusesToDetachWhenLiveBlocksHaveNowhereToGo() {
        try (BlockPool pool = new BlockPool(layout(KvType.F16), 2)) {
            KvChunk extra = pool.attachChunk(2);
            BlockTable t = new BlockTable();
            for (int i = 0; i < 3; i++) {
                t.add(pool.allocate());
            }
            assertThatThrownBy(() -> pool.detachChunk(extra, List.of(t))).hasMessageContaining("2 of them are in use and only 1 blocks are free elsewhere");
            assertThat(pool.numTotalBlocks()).isEqualTo(4);
            assertAccounting(pool, List.of(t));
        }
    }

    @Test
    void aSharedBlockGoesBackToTheFreeListWithItsLastReference() {
        try (BlockPool pool = new BlockPool(layout(KvType.F16), 4)) {
            BlockTable first = new BlockTable();
            first.add(pool.allocate());
            first.add(pool.allocate());
            BlockTable[] forks = {new BlockTable(), new BlockTable()};
            for (BlockTable fork : forks) {
                fork.add(pool.share(first.get(0))); // the full prompt block only
                fork.add(pool.allocate());
            }
            assertThat(pool.refCount(first.get(0))).isEqualTo(3);
            assertThat(pool.numFreeBlocks()).as("4 blocks: one shared, three private").isZero();
            pool.freeAll(first);
            pool.freeAll(forks[0]);
            assertThat(pool.refCount(forks[1].get(0))).isEqualTo(1);
            assertThat(pool.freeBlockIds()).doesNotContain(forks[1].get(0));
            assertThat(pool.numFreeBlocks()).isEqualTo(2);
            int shared = forks[1].get(0);
            pool.freeAll(forks[1]);
            assertThat(pool.numFreeBlocks()).as("every block free once the last table let go").isEqualTo(4);
            assertThat(pool.refCount(shared)).isZero();
            assertThatThrownBy(() -> pool.free(shared)).hasMessageContaining("is free");
            assertThatThrownBy(() -> pool.share(shared)).hasMessageContaining("is free");
        }
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void detachingAChunkMovesASharedBlockOnceAndRewritesEveryTable(KvType type) {
        try (BlockPool pool = new BlockPool(layout(type), 6)) {
            KvChunk extra = pool.attachChunk(3);
            BlockTable a = new BlockTable();
            a.add(pool.allocate());
            a.add(pool.allocate());
            BlockTable b = new BlockTable();
            BlockTable c = new BlockTable();
            for (BlockTable fork : List.of(b, c)) {
                fork.add(pool.share(a.get(0)));
                fork.add(pool.allocate());
            }
            assertThat(extra.owns(a.get(0))).as("the newest chunk is handed out first").isTrue();
            stamp(pool, a.get(0), 7);
            int moved = pool.detachChunk(extra, List.of(a, b, c));
            // a[0] (shared by three tables), a[1], b[1] lived in the extra chunk; c[1] came from the base.
            assertThat(moved).isEqualTo(3);
            assertThat(b.get(0)).isEqualTo(a.get(0));
            assertThat(c.get(0)).isEqualTo(a.get(0));
            assertThat(extra.owns(a.get(0))).isFalse();
            assertStamp(pool, a.get(0), 7);
            assertThat(pool.refCount(a.get(0))).isEqualTo(3);
            assertThat(pool.numFreeBlocks()).as("6 base blocks, 4 distinct in use").isEqualTo(2);
            for (BlockTable t : List.of(a, b, c)) {
                pool.freeAll(t);
            }
            assertThat(pool.numFreeBlocks()).isEqualTo(6);
            assertThat(new HashSet<>(pool.freeBlockIds())).hasSize(6);
        }
    }
}
