package dev.morphserve.morph;

import dev.morphserve.testing.MorphTestModels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
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
                    .hasMessageContaining("Q4_0 or Q8_0");
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
