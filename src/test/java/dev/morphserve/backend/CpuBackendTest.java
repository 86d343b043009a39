package dev.morphserve.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgmlType;
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
        try (LoadedModel model = ModelLoader.load(path); CpuBackend backend = CpuBackend.create(1, KernelKind.VECTOR)) {
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
}
