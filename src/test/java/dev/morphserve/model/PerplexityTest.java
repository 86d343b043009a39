package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerplexityTest {
    @TempDir
    Path tmp;

    private static Perplexity.Result evaluate(Path model, String text, KvType kvType) throws Exception {
        try (LoadedModel m = ModelLoader.load(model, GoldenGenerationTest.STORIES_CONTEXT);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, kvType)) {
            int[] tokens = m.tokenizer().encode(text, true);
            return new Perplexity(backend.runner(m)).evaluate(tokens, m.config().contextLength() - 1, n -> {});
        }
    }

    private static String first100k() throws Exception {
        String text = Files.readString(SharedData.require("data/tinystories_validation_head.txt"));
        return text.substring(0, 100_000);
    }

    /** The reference is llama2.c's, with its float32 KV cache. */
    @Test
    void meanNllMatchesReference() throws Exception {
        var reference = SharedData.golden().get("perplexity_reference").get("results").get(0);
        var result = evaluate(SharedData.storiesGguf(), first100k(), KvType.F32);
        assertThat(result.meanNll()).isCloseTo(reference.get("mean_nll").asDouble(), within(2e-3));
    }

    /**
     * An F16 cache against llama2.c's float32 one over full 511-token windows, where every position
     * reads hundreds of rounded rows (measured on these 20k characters: a ratio of 1 + 1.5e-5; 1 - 1.2e-6 on all 100k).
     */
    @Test
    void anF16KvCacheCostsLessThanAHundredthOfAPercentPerplexity() throws Exception {
        String text = first100k().substring(0, 20_000);
        double f32 = evaluate(SharedData.storiesGguf(), text, KvType.F32).perplexity();
        double f16 = evaluate(SharedData.storiesGguf(), text, KvType.F16).perplexity();
        assertThat(f16 / f32).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void q8_0WeightsCostLessThanOnePercentPerplexity() throws Exception {
        String text = first100k();
        Path q8 = tmp.resolve("stories-q8_0.gguf");
        var report = ModelQuantizer.quantize(SharedData.storiesGguf(), q8, GgmlType.Q8_0, i -> true, true);
        assertThat(report.converted()).isGreaterThan(0);
        double f32 = evaluate(SharedData.storiesGguf(), text, KvType.F16).perplexity();
        double quantized = evaluate(q8, text, KvType.F16).perplexity();
        assertThat(quantized / f32).isCloseTo(1.0, within(0.01));
    }
}
