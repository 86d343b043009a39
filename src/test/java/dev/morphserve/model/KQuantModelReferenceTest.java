package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.engine.Sampler;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * K-quant models made by llama-quantize (../shared/models/refs) run by our engine against llama.cpp's
 * F32-activation reference for the same weights: since our K-quant kernels dequantize exactly as ggml
 * and multiply float activations, the refs README's acceptance for a float engine applies: max
 * |logit - reference| <= 2e-4 over all 16 prompt positions, the same argmax at every position and the
 * same 16 greedy tokens. Vector and scalar kernels both.
 */
class KQuantModelReferenceTest {
    private static final String REFS = "models/refs/models/";
    private static final double TOLERANCE = 2e-4;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "ref-llama-Q4_K_M, VECTOR", "ref-llama-Q4_K_M, SCALAR",
        "ref-llama-Q4_K_S, VECTOR", "ref-llama-Q4_K_S, SCALAR",
        "ref-llama-pure-Q4_K, VECTOR",
        "ref-llama-Q6_K, VECTOR", "ref-llama-Q6_K, SCALAR",
        "ref-llama-Q2_K, VECTOR", "ref-llama-Q2_K, SCALAR",
    })
    void logitsAndGreedyTokens_matchLlamaCppsF32ActivationReference(String name, KernelKind kind) throws Exception {
        Path model = SharedData.require(REFS + name + ".gguf");
        JsonNode ref = new ObjectMapper().readTree(SharedData.require(REFS + name + ".json").toFile());
        JsonNode f32 = ref.get("f32_activation_reference");
        int[] prompt = SharedData.ints(ref.get("prompt_ids"));
        int vocab = ref.get("n_vocab").asInt();
        try (CpuBackend backend = CpuBackend.create(2, kind, KvType.F32);
                LoadedModel m = ModelLoader.load(model)) {
            ModelRunner runner = backend.runner(m);
            try (SequenceKv kv = runner.sequenceKv(prompt.length + 16)) {
                float[] logits = runner.forward(ForwardBatch.ofSequence(prompt, 0, kv.table(), true), kv.cache());
                double worst = 0;
                for (int p = 0; p < prompt.length; p++) {
                    JsonNode want = f32.get("logits_all").get(p);
                    int wantArgmax = 0;
                    for (int v = 0; v < vocab; v++) {
                        worst = Math.max(worst, Math.abs(logits[p * vocab + v] - want.get(v).asDouble()));
                        if (want.get(v).asDouble() > want.get(wantArgmax).asDouble()) {
                            wantArgmax = v;
                        }
                    }
                    assertThat(Sampler.argmax(logits, p * vocab, vocab)).as("argmax at position %d", p).isEqualTo(wantArgmax);
                }
                assertThat(worst).as("max |logit - llama.cpp f32 reference| over %d positions", prompt.length)
                        .isLessThanOrEqualTo(TOLERANCE);

                int[] greedy = new int[16];
                greedy[0] = Sampler.argmax(logits, (prompt.length - 1) * vocab, vocab);
                for (int i = 1; i < greedy.length; i++) {
                    float[] next = runner.forward(
                            ForwardBatch.ofSequence(new int[] {greedy[i - 1]}, prompt.length + i - 1, kv.table(), false),
                            kv.cache());
                    greedy[i] = Sampler.argmax(next, 0, vocab);
                }
                assertThat(greedy).as("greedy ids " + Arrays.toString(greedy)).containsExactly(SharedData.ints(f32.get("greedy_ids")));
            }
        }
    }
}
