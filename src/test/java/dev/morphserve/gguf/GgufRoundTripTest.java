package dev.morphserve.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    /** Every value type once, arrays of every element type, nested arrays two levels deep. */
    static GgufWriter everyValueType() {
        GgufArray inner1 = GgufArray.ofInt32(new int[] {1, -2, 3});
        GgufArray inner2 = GgufArray.ofStrings(List.of("x", "yz"));
        GgufArray nested = GgufArray.ofArrays(List.of(inner1, inner2, GgufArray.ofArrays(List.of(GgufArray.ofFloat64(new double[] {1.5})))));
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt8("t.u8", 255)
                .putInt8("t.i8", (byte) -128)
                .putUInt16("t.u16", 65535)
                .putInt16("t.i16", (short) -32768)
                .putUInt32("t.u32", 4_294_967_295L)
                .putInt32("t.i32", Integer.MIN_VALUE)
                .putFloat32("t.f32", 1e-5f)
                .putBool("t.bool", true)
                .putString("t.str", "héllo ▁wörld \n\"")
                .putString("t.empty", "")
                .putUInt64("t.u64", -1L)
                .putInt64("t.i64", Long.MIN_VALUE)
                .putFloat64("t.f64", Math.PI)
                .putArray("a.u8", GgufArray.ofUInt8(new byte[] {0, (byte) 200}))
                .putArray("a.i8", GgufArray.ofInt8(new byte[] {-1, 1}))
                .putArray("a.u16", GgufArray.ofUInt16(new short[] {(short) 60000}))
                .putArray("a.i16", GgufArray.ofInt16(new short[] {-5, 5}))
                .putArray("a.u32", GgufArray.ofUInt32(new int[] {-1, 7}))
                .putInt32Array("a.i32", new int[] {1, 2, 3})
                .putFloat32Array("a.f32", new float[] {0.5f, -0.0f, Float.NaN})
                .putArray("a.bool", GgufArray.ofBool(new boolean[] {true, false, true}))
                .putStringArray("a.str", List.of("<unk>", "<s>", "▁the", ""))
                .putArray("a.u64", GgufArray.ofUInt64(new long[] {Long.MAX_VALUE, -1}))
                .putArray("a.i64", GgufArray.ofInt64(new long[] {-9}))
                .putArray("a.f64", GgufArray.ofFloat64(new double[] {2.25}))
                .putArray("a.empty", GgufArray.ofFloat32(new float[0]))
                .putArray("a.nested", nested);
    }

    static MemorySegment randomBytes(Arena arena, long n, long seed) {
        MemorySegment seg = arena.allocate(n); // [n] bytes
        Random rnd = new Random(seed);
        for (long i = 0; i < n; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        }
        return seg;
    }

    @Test
    void everyValueTypeAndTensorsRoundTrip() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            GgufWriter w = everyValueType();
            MemorySegment f32 = randomBytes(arena, 4 * 3 * 5, 1); // [5][3] f32
            MemorySegment vec = randomBytes(arena, 4 * 7, 2); // [7] f32
            MemorySegment q8 = randomBytes(arena, 34 * 2 * 4, 3); // [4][64] Q8_0: 2 blocks per row
            w.addTensor("m.weight", GgmlType.F32, new long[] {3, 5}, f32)
                    .addTensor("norm.weight", GgmlType.F32, new long[] {7}, vec)
                    .addTensor("q.weight", GgmlType.Q8_0, new long[] {64, 4}, q8)
                    .addTensor("heap.weight", GgmlType.F32, new long[] {2, 1, 2}, MemorySegment.ofArray(new float[] {1, 2, 3, 4}));
            Path out = dir.resolve("all.gguf");
            List<long[]> progress = new ArrayList<>();
            w.write(out, (done, total) -> progress.add(new long[] {done, total}));

            assertThat(progress).isNotEmpty();
            assertThat(progress.getLast()[0]).isEqualTo(Files.size(out)).isEqualTo(progress.getLast()[1]);
            try (GgufFile g = GgufFile.open(out)) {
                assertThat(g.version()).isEqualTo(3);
                assertThat(g.alignment()).isEqualTo(32);
                assertThat(g.metadata().has("general.alignment")).isFalse();
                assertThat(g.metadata().asMap()).containsExactlyEntriesOf(everyValueType().metadata().asMap());
                assertThat(g.tensors()).extracting(GgufTensorInfo::name)
                        .containsExactly("m.weight", "norm.weight", "q.weight", "heap.weight");
                assertThat(g.tensors()).containsExactlyElementsOf(w.tensorInfos());
                assertThat(g.dataSectionOffset() % 32).isZero();
                assertThat(g.data(g.findTensor("m.weight").orElseThrow()).mismatch(f32)).isEqualTo(-1);
                assertThat(g.data(g.findTensor("q.weight").orElseThrow()).mismatch(q8)).isEqualTo(-1);
                assertThat(g.data(g.findTensor("heap.weight").orElseThrow()).toArray(ValueLayout.JAVA_FLOAT))
                        .containsExactly(1, 2, 3, 4);

                Tensor m = g.tensor("m.weight");
                assertThat(m.rows()).isEqualTo(5);
                assertThat(m.cols()).isEqualTo(3);
                Tensor norm = g.tensor("norm.weight");
                assertThat(norm.rows()).isEqualTo(1);
                assertThat(norm.cols()).isEqualTo(7);
                assertThat(g.tensor("q.weight").rowBytes()).isEqualTo(68);
                assertThat(g.tensor("heap.weight").rows()).isEqualTo(2);
                assertThat(g.data(g.findTensor("m.weight").orElseThrow()).isReadOnly()).isTrue();
                assertThatThrownBy(() -> g.tensor("nope.weight"))
                        .isInstanceOf(GgufFormatException.class)
                        .hasMessageContaining("'nope.weight'");
            }
        }
    }

    @Test
    void tensorsLargerThanOneWriteChunkStreamIntact() throws Exception {
        int floats = (9 << 20) / 4 + 3; // a bit over 9 MiB: more than one 8 MiB chunk, odd tail
        float[] heap = new float[floats]; // [floats], heap-backed: goes through the staging buffer
        for (int i = 0; i < floats; i++) heap[i] = i * 0.5f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeData = randomBytes(arena, 4L * floats, 7); // [floats] f32, native: written directly
            Path out = dir.resolve("big.gguf");
            List<Long> written = new ArrayList<>();
            new GgufWriter()
                    .addTensor("heap", GgmlType.F32, new long[] {floats}, MemorySegment.ofArray(heap))
                    .addTensor("native", GgmlType.F32, new long[] {floats}, nativeData)
                    .write(out, (done, total) -> written.add(done));
            assertThat(written).isSorted().hasSizeGreaterThan(4);
            try (GgufFile g = GgufFile.open(out)) {
                assertThat(g.data(g.findTensor("heap").orElseThrow()).toArray(ValueLayout.JAVA_FLOAT)).isEqualTo(heap);
                assertThat(g.data(g.findTensor("native").orElseThrow()).mismatch(nativeData)).isEqualTo(-1);
            }
        }
    }

    @Test
    void nonDefaultAlignmentIsWrittenAndHonoured() throws Exception {
        Path out = dir.resolve("a64.gguf");
        new GgufWriter()
                .alignment(64)
                .putString("general.architecture", "llama")
                .addTensor("a", GgmlType.F32, new long[] {3}, MemorySegment.ofArray(new float[] {1, 2, 3}))
                .addTensor("b", GgmlType.F32, new long[] {1}, MemorySegment.ofArray(new float[] {4}))
                .write(out);
        try (GgufFile g = GgufFile.open(out)) {
            assertThat(g.alignment()).isEqualTo(64);
            assertThat(g.metadata().getInt("general.alignment")).isEqualTo(64);
            assertThat(g.dataSectionOffset() % 64).isZero();
            assertThat(g.findTensor("b").orElseThrow().offset()).isEqualTo(64);
            assertThat(g.data(g.findTensor("b").orElseThrow()).get(ValueLayout.JAVA_FLOAT, 0)).isEqualTo(4f);
        }
    }

    @Test
    void copyMetadataFromSkipsKeysAndRewritesAFileIdentically() throws Exception {
        Path first = dir.resolve("first.gguf");
        everyValueType().write(first);
        Path second = dir.resolve("second.gguf");
        try (GgufFile g = GgufFile.open(first)) {
            new GgufWriter().copyMetadataFrom(g.metadata()).write(second);
            Path third = dir.resolve("third.gguf");
            new GgufWriter().copyMetadataFrom(g.metadata(), java.util.Set.of("t.str", "a.nested")).write(third);
            try (GgufFile t = GgufFile.open(third)) {
                assertThat(t.metadata().keys()).doesNotContain("t.str", "a.nested").hasSize(g.metadata().size() - 2);
            }
        }
        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    }

    @Test
    void writerRejectsBadTensorsAndAlignmentKey() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {4}, MemorySegment.ofArray(new float[3])))
                .hasMessageContaining("'x'").hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q8_0, new long[] {31}, MemorySegment.ofArray(new byte[34])))
                .hasMessageContaining("block size 32");
        assertThatThrownBy(() -> w.addTensor("z", GgmlType.F32, new long[] {0}, MemorySegment.ofArray(new byte[0])))
                .hasMessageContaining("non-positive");
        assertThatThrownBy(() -> w.putUInt32("general.alignment", 64)).hasMessageContaining("alignment(");
        assertThatThrownBy(() -> w.alignment(48)).hasMessageContaining("power of two");
    }
}
