package dev.morphserve.study;

import dev.morphserve.morph.LayerVariants;
import dev.morphserve.testing.MorphTestModels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwapSessionTest {
    @TempDir
    Path dir;

    /** Residual stream after every layer, index layer + 1. */
    private static float[][] hidden(ModelRunner runner, int[] tokens) {
        int layers = runner.config().numLayers();
        float[][] states = new float[layers + 1][];
        try (SequenceKv kv = runner.sequenceKv(tokens.length)) {
            runner.forward(ForwardBatch.ofSequence(tokens, 0, kv.table(), false), kv.cache(),
                    (layer, h, n) -> states[layer + 1] = Arrays.copyOf(h, n * runner.config().dim()));
        }
        return states;
    }

    @Test
    void swappingALayerChangesItsOutputButNotEarlierLayers() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            ModelRunner runner = backend.runner(model);
            int[] tokens = model.tokenizer().encode(MorphTestModels.text(12), true);
            float[][] base = hidden(runner, tokens);
            float[][] swapped;
            try (SwapSession session = new SwapSession(runner, variants)) {
                session.swapExactly(List.of(1));
                assertThat(session.swappedLayers()).containsExactly(1);
                swapped = hidden(runner, tokens);
            }
            assertThat(swapped[0]).containsExactly(base[0]); // embeddings
            assertThat(swapped[1]).containsExactly(base[1]); // layer 0, not swapped
            assertThat(swapped[2]).isNotEqualTo(base[2]); //   layer 1, swapped
            assertThat(hidden(runner, tokens)[2]).containsExactly(base[2]); // restored
        }
    }

    @Test
    void closeRestoresTheRunnersOwnLayersAndRejectsUnknownLayers() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(1, KernelKind.SCALAR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            ModelRunner runner = backend.runner(model);
            LayerWeights[] before = {runner.weights().layer(0), runner.weights().layer(1)};
            try (SwapSession session = new SwapSession(runner, variants)) {
                session.swapExactly(List.of(0, 1));
                assertThat(runner.weights().layer(0)).isNotSameAs(before[0]);
                session.swapExactly(List.of(1));
                assertThat(runner.weights().layer(0)).isSameAs(before[0]);
                assertThatThrownBy(() -> session.swapExactly(List.of(2))).hasMessageContaining("layer 2 does not exist");
            }
            assertThat(runner.weights().layer(0)).isSameAs(before[0]);
            assertThat(runner.weights().layer(1)).isSameAs(before[1]);
        }
    }
}
