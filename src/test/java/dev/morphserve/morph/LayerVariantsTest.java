package dev.morphserve.morph;

import dev.morphserve.testing.MorphTestModels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.tensor.Tensor;
import dev.morphserve.testing.SharedData;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerVariantsTest {
    @TempDir
    Path dir;

    @Test
    void everyMatrixOfABlockAlignedModelBecomesQ4_0AndFreesMemory() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            assertThat(variants.numLayers()).isEqualTo(2);
            for (int i = 0; i < variants.numLayers(); i++) {
                assertThat(variants.base(i)).isSameAs(model.weights().layer(i));
                assertThat(variants.low(i).matrices()).allMatch(t -> t.type() == GgmlType.Q4_0);
                assertThat(variants.low(i).attnNorm()).isSameAs(variants.base(i).attnNorm());
                LayerBytes bytes = variants.bytes(i);
                // F32 is 4 bytes per weight, Q4_0 18 bytes per 32
                assertThat(bytes.lowBytes() * 4 * 32).isEqualTo(bytes.baseBytes() * 18);
                assertThat(bytes.freedBytes()).isEqualTo(bytes.baseBytes() - bytes.lowBytes());
            }
            assertThat(variants.bytesReport()).hasSize(2);
        }
    }

    @Test
    void q8_0IsConfigurableAndOtherTypesAreRejected() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q8_0)) {
            assertThat(variants.lowType()).isEqualTo(GgmlType.Q8_0);
            assertThat(variants.low(1).matrices()).allMatch(t -> t.type() == GgmlType.Q8_0);
            assertThatThrownBy(() -> LayerVariants.quantize(model.weights(), GgmlType.F16))
                    .hasMessageContaining("Q4_0, Q4_K or Q8_0");
        }
    }

    /**
     * Q4_K low variants of ref-llama-F16.gguf (rows of 256 and 768) are byte for byte the tensors of
     * llama-quantize's {@code --pure ... Q4_K} of it, and free 4.5 of every 16 bits.
     */
    @Test
    void q4_KVariantsEqualLlamaQuantizesPureQ4_K() throws Exception {
        Path refs = SharedData.require("models/refs/models/ref-llama-pure-Q4_K.gguf").getParent();
        try (LoadedModel model = ModelLoader.load(refs.resolve("ref-llama-F16.gguf"));
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_K);
                GgufFile pure = GgufFile.open(refs.resolve("ref-llama-pure-Q4_K.gguf"))) {
            assertThat(variants.lowType()).isEqualTo(GgmlType.Q4_K);
            for (int i = 0; i < variants.numLayers(); i++) {
                for (Tensor t : variants.low(i).matrices()) {
                    assertThat(t.type()).isEqualTo(GgmlType.Q4_K);
                    assertThat(t.data().mismatch(pure.tensor(t.name()).data())).as(t.name()).isEqualTo(-1L);
                }
                LayerBytes bytes = variants.bytes(i);
                assertThat(bytes.lowBytes() * 2 * 256).isEqualTo(bytes.baseBytes() * 144); // F16 base
            }
        }
    }

    /** morphserve.morph.levels=Q8_0,Q4_K: each level of the host tier smaller than the one above, and runnable. */
    @Test
    void hostTierStepsFromF16ToQ8_0ThenQ4_K() throws Exception {
        Path model = SharedData.require("models/refs/models/ref-llama-F16.gguf");
        try (LoadedModel m = ModelLoader.load(model);
                var backend = dev.morphserve.backend.CpuBackend.create(1, dev.morphserve.backend.KernelKind.VECTOR,
                        dev.morphserve.kvcache.KvType.F32);
                HostTier tier = HostTier.build(m.weights(), PrecisionLevels.parse("Q8_0,Q4_K"),
                        v -> backend.hostTier(backend.prepare(v)))) {
            assertThat(tier.lowestLevel()).isEqualTo(2);
            for (int l = 0; l < tier.numLayers(); l++) {
                assertThat(tier.bytes(l, 1)).isLessThan(tier.bytes(l, 0));
                assertThat(tier.bytes(l, 2)).isLessThan(tier.bytes(l, 1));
                assertThat(tier.variant(l, 2).matrices()).allMatch(t -> t.type() == GgmlType.Q4_K);
            }
            LayerWeights[] lowest = new LayerWeights[tier.numLayers()];
            java.util.Arrays.setAll(lowest, l -> tier.variant(l, 2));
            var runner = backend.runner(m.config(), backend.tableWithLayers(m, lowest));
            try (var kv = runner.sequenceKv(4)) {
                float[] logits = runner.forward(dev.morphserve.model.ForwardBatch.ofSequence(new int[] {1, 403}, 0, kv.table(),
                        false), kv.cache());
                assertThat(logits).hasSize(m.config().vocabSize());
                for (float v : logits) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
    }

    @Test
    void rowsThatDoNotSplitIntoBlocksKeepTheirSourceTensor() {
        try (Arena arena = Arena.ofConfined()) {
            // stories260K's shape: ffn_down has 172 columns, 172 % 32 != 0
            LayerWeights layer = new LayerWeights(new float[64], f32(arena, 64, 64), f32(arena, 32, 64),
                    f32(arena, 32, 64), f32(arena, 64, 64), new float[64], f32(arena, 172, 64), f32(arena, 172, 64),
                    f32(arena, 64, 172));
            WeightsTable table = new WeightsTable(f32(arena, 512, 64), new float[64], f32(arena, 512, 64),
                    new LayerWeights[] {layer});
            try (LayerVariants variants = LayerVariants.quantize(table, GgmlType.Q4_0)) {
                LayerWeights low = variants.low(0);
                assertThat(low.wDown()).isSameAs(layer.wDown());
                assertThat(low.wGate().type()).isEqualTo(GgmlType.Q4_0);
                assertThat(variants.bytes(0).lowBytes()).isGreaterThan(layer.wDown().byteSize());
            }
        }
    }

    @Test
    void stories260KKeepsFfnDownInF32() throws Exception {
        try (LoadedModel model = ModelLoader.load(SharedData.storiesGguf(), MorphTestModels.STORIES_CONTEXT);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            for (int i = 0; i < variants.numLayers(); i++) {
                LayerWeights low = variants.low(i);
                assertThat(low.wDown().type()).isEqualTo(GgmlType.F32);
                assertThat(low.wq().type()).isEqualTo(GgmlType.Q4_0);
                assertThat(low.wUp().type()).isEqualTo(GgmlType.Q4_0);
                assertThat(variants.bytes(i).freedBytes()).isPositive();
            }
        }
    }

    private static Tensor f32(Arena arena, int rows, int cols) {
        var data = arena.allocate((long) rows * cols * Float.BYTES, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) Math.sin(i * 0.37));
        }
        return new Tensor("m" + rows + "x" + cols, GgmlType.F32, rows, cols, data);
    }
}
