package dev.morphserve.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.tensor.TensorLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuBackendTest {
    @TempDir
    Path tmp;

    /** Morphing hands the backend its own layers: the backend must not keep a second copy of them all. */
    @Test
    void aTableWithTheCallersLayersPreparesOnlyTheOutput() throws Exception {
        Path path = tmp.resolve("tiny-f16.gguf");
        SyntheticModel.write(ModelShape.TINY, GgmlType.F16, 5, path, n -> {});
        try (LoadedModel model = ModelLoader.load(path); CpuBackend backend = CpuBackend.create(1, KernelKind.VECTOR, KvType.F16)) {
            LayerWeights[] layers = new LayerWeights[model.config().numLayers()];
            for (int i = 0; i < layers.length; i++) {
                layers[i] = backend.prepare(model.weights().layer(i));
            }
            WeightsTable table = backend.tableWithLayers(model, layers);
            assertThat(backend.preparedTables()).isZero();
            assertThat(table.layer(0)).isSameAs(layers[0]);
            assertThat(table.output().layout()).isEqualTo(TensorLayout.KERNEL_PANELS);
            assertThat(backend.tableWithLayers(model, layers).output()).as("prepared once").isSameAs(table.output());

            backend.runner(model); // a plain runner prepares the whole table, and the next table reuses its output
            assertThat(backend.preparedTables()).isEqualTo(1);
        }
    }

    /** A cache of the other element type would be read at the wrong offsets: the runner says so instead. */
    @Test
    void aRunnerRefusesACacheOfAnotherKvType() throws Exception {
        Path path = tmp.resolve("tiny-q8_0.gguf");
        SyntheticModel.write(ModelShape.TINY, GgmlType.Q8_0, 5, path, n -> {});
        try (LoadedModel model = ModelLoader.load(path); CpuBackend backend = CpuBackend.create(1, KernelKind.VECTOR, KvType.F16);
                BlockPool f32 = new BlockPool(model.config().kvLayout(16, KvType.F32), 1)) {
            BlockTable table = new BlockTable();
            table.add(f32.allocate());
            assertThatThrownBy(() -> backend.runner(model).forward(ForwardBatch.ofSequence(new int[] {1}, 0, table, false), f32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("keeps its KV cache in F16 and was given a cache of F32");
        }
    }
}
