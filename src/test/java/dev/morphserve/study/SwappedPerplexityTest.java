package dev.morphserve.study;

import dev.morphserve.morph.LayerVariants;
import dev.morphserve.testing.MorphTestModels;


import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.Perplexity;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwappedPerplexityTest {
    @TempDir
    Path dir;

    private static double perplexity(ModelRunner runner, int[] tokens, int window) {
        return new Perplexity(runner).evaluate(tokens, window, n -> {}).perplexity();
    }

    private static void check(LoadedModel model, int[] tokens, int window) {
        try (CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            ModelRunner runner = backend.runner(model);
            double plain = perplexity(runner, tokens, window);
            List<Integer> all = SwapOrderKind.range(model.config().numLayers());
            double none;
            double allSwapped;
            try (SwapSession session = new SwapSession(runner, variants)) {
                session.swapExactly(List.of());
                none = perplexity(runner, tokens, window);
                session.swapExactly(all);
                allSwapped = perplexity(runner, tokens, window);
            }
            assertThat(none).isEqualTo(plain); // exactly: no swap, same weights, same arithmetic
            assertThat(allSwapped).isNotEqualTo(plain);
            assertThat(perplexity(runner, tokens, window)).isEqualTo(plain); // restored
        }
    }

    @Test
    void noSwappedLayerIsPlainPerplexityAndAllSwappedDiffersOnSynthetic() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir)) {
            check(model, model.tokenizer().encode(MorphTestModels.text(80), true), 63);
        }
    }

    @Test
    void noSwappedLayerIsPlainPerplexityAndAllSwappedDiffersOnStories260K() throws Exception {
        Path gguf = SharedData.storiesGguf();
        String text = Files.readString(SharedData.require("data/tinystories_validation_head.txt")).substring(0, 8000);
        try (LoadedModel model = ModelLoader.load(gguf, MorphTestModels.STORIES_CONTEXT)) {
            check(model, model.tokenizer().encode(text, true), MorphTestModels.STORIES_CONTEXT - 1);
        }
    }
}
