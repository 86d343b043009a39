package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.morphserve.testing.RefModels.argmax;
import static dev.morphserve.testing.RefModels.greedy;
import static dev.morphserve.testing.RefModels.maxAbsDiff;
import static dev.morphserve.testing.RefModels.model;
import static dev.morphserve.testing.RefModels.prefillLogits;
import static dev.morphserve.testing.RefModels.reference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.engine.Sampler;
import dev.morphserve.kernel.ActivationRounding;
import dev.morphserve.kernel.ScalarKernels;
import dev.morphserve.kernel.WorkerPool;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's own logits for small random-weight models ({@code ../shared/models/refs/models}, see its
 * README): llama, llama 3 (rope_freqs, base 500000), qwen2 (biases, NEOX RoPE, base 10^6), in F16 and
 * every weight type llama-quantize makes of it (Q8_0, the Q4_0 mix, Q2_K, Q4_K_S, Q4_K_M, pure Q4_K,
 * Q6_K). A float engine must land within 2e-4 of the F32-activation reference on all 16 prompt
 * positions, with the same argmax per position and the same 16 greedy ids; F16 files also within 2e-2
 * of llama.cpp running the file as it is. The KV cache is F32, as in the references.
 *
 * <p>The vector kernels are that float engine for every type except Q4_0, whose product path rounds
 * activations to Q8_0 as llama.cpp does (and so is held to llama.cpp's own run of the file instead);
 * the scalar kernels with {@link ActivationRounding#NONE} are, for every file.
 */
class RefModelsTest {
    static final double F32_TOLERANCE = 2e-4;
    static final double F16_PRIMARY_TOLERANCE = 2e-2;
    /** Measured 3.9e-3 (9.8e-3 before its Q6_K output matrix took Q8_K-rounded activations too). */
    static final double Q4_0_PRIMARY_TOLERANCE = 2e-2;
    /**
     * Q4_K_M and pure Q4_K (Q4_K and Q6_K matrices only): measured 7.1e-7 and 6.0e-7, Q8_K rounding as ggml's.
     * The other K-quant files also hold matrices whose activations llama.cpp rounds and these kernels do not
     * (Q8_0 ones): measured Q2_K 1.2e-2, Q4_K_S 7.7e-3, Q6_K 1.3e-2.
     */
    static final double Q4_K_EXACT_TOLERANCE = 2e-6;
    static final double K_MIX_PRIMARY_TOLERANCE = 2e-2;

    private static CpuBackend vector;

    @BeforeAll
    static void start() {
        vector = CpuBackend.create(2, KernelKind.VECTOR, KvType.F32);
    }

    @AfterAll
    static void stop() {
        vector.close();
    }

    /** The product path: vector kernels over the prepared (repacked) weights. */
    @ParameterizedTest
    @ValueSource(strings = {"ref-llama-F16", "ref-llama3-F16", "ref-qwen2-F16", "ref-llama-Q8_0"})
    void vectorKernelsMatchTheF32ActivationReference(String name) throws Exception {
        JsonNode ref = reference(name);
        try (LoadedModel m = ModelLoader.load(model(name))) {
            assertMatchesF32Reference(vector.runner(m), ref);
            if (ref.get("general_file_type").asInt() == 1) {
                assertMatchesPrimary(vector.runner(m), ref);
            }
        }
    }

    /**
     * The scalar reference with float activations: the exact product of the stored weights, for every
     * type (Q4_0 included, whose product path rounds activations to Q8_0 as llama.cpp does).
     */
    @ParameterizedTest
    @ValueSource(strings = {"ref-llama-F16", "ref-llama3-F16", "ref-qwen2-F16", "ref-llama-Q8_0", "ref-llama-Q4_0",
        "ref-llama-Q2_K", "ref-llama-Q4_K_S", "ref-llama-Q4_K_M", "ref-llama-pure-Q4_K", "ref-llama-Q6_K"})
    void scalarFloatKernelsMatchTheF32ActivationReference(String name) throws Exception {
        JsonNode ref = reference(name);
        try (LoadedModel m = ModelLoader.load(model(name));
                WorkerPool pool = new WorkerPool(1)) {
            var runner = new CpuModelRunner(m.config(), m.weights(), new ScalarKernels(ActivationRounding.NONE), pool,
                    KvType.F32);
            assertMatchesF32Reference(runner, ref);
        }
    }

    /**
     * Q4_0 as llama.cpp runs it (activations rounded to Q8_0 for the Q4_0 matrices, its Q6_K output in
     * floats here, in Q8_K there): against llama.cpp's own run of the file, with the same argmax at
     * every position and the same greedy ids. (Against the F32 reference it is 0.39 away, as llama.cpp's
     * own run is: this toy model amplifies activation rounding.)
     */
    @Test
    void q4_0ProductPathFollowsLlamaCppsOwnRun() throws Exception {
        assertFollowsLlamaCppsOwnRun("ref-llama-Q4_0", Q4_0_PRIMARY_TOLERANCE);
    }

    /**
     * The K-quant files as llama.cpp runs them: activations rounded to Q8_K for the Q2_K .. Q6_K matrices
     * (vec_dot_qN_K_q8_K), Q4_K in integer lanes, the others as floats.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ref-llama-Q2_K", "ref-llama-Q4_K_S", "ref-llama-Q4_K_M", "ref-llama-pure-Q4_K", "ref-llama-Q6_K"})
    void kQuantProductPathFollowsLlamaCppsOwnRun(String name) throws Exception {
        boolean q4kOnly = name.equals("ref-llama-Q4_K_M") || name.equals("ref-llama-pure-Q4_K");
        assertFollowsLlamaCppsOwnRun(name, q4kOnly ? Q4_K_EXACT_TOLERANCE : K_MIX_PRIMARY_TOLERANCE);
    }

    private static void assertFollowsLlamaCppsOwnRun(String name, double tolerance) throws Exception {
        JsonNode ref = reference(name);
        int[] prompt = SharedData.ints(ref.get("prompt_ids"));
        try (LoadedModel m = ModelLoader.load(model(name))) {
            float[] logits = prefillLogits(vector.runner(m), prompt);
            double diff = maxAbsDiff(logits, ref.get("logits_all"));
            assertThat(diff).as("max |Δlogit| vs llama.cpp's run of " + name).isLessThanOrEqualTo(tolerance);
            int vocab = m.config().vocabSize();
            for (int p = 0; p < prompt.length; p++) {
                assertThat(Sampler.argmax(logits, p * vocab, vocab)).as("argmax at position %d", p)
                        .isEqualTo(ref.get("argmax_per_position").get(p).asInt());
            }
            assertThat(greedy(vector.runner(m), prompt, ref.get("greedy_ids").size()))
                    .containsExactly(SharedData.ints(ref.get("greedy_ids")));
        }
    }

    static void assertMatchesF32Reference(ModelRunner runner, JsonNode ref) {
        JsonNode f32 = ref.get("f32_activation_reference");
        int[] prompt = SharedData.ints(ref.get("prompt_ids"));
        float[] logits = prefillLogits(runner, prompt);
        int vocab = runner.config().vocabSize();
        JsonNode expected = f32.get("logits_all");
        assertThat(maxAbsDiff(logits, expected)).as("max |Δlogit| vs f32_activation_reference").isLessThanOrEqualTo(F32_TOLERANCE);
        for (int p = 0; p < prompt.length; p++) {
            assertThat(Sampler.argmax(logits, p * vocab, vocab)).as("argmax at position %d", p)
                    .isEqualTo(argmax(expected.get(p)));
        }
        assertThat(greedy(runner, prompt, f32.get("greedy_ids").size())).containsExactly(SharedData.ints(f32.get("greedy_ids")));
    }

    static void assertMatchesPrimary(ModelRunner runner, JsonNode ref) {
        int[] prompt = SharedData.ints(ref.get("prompt_ids"));
        float[] logits = prefillLogits(runner, prompt);
        assertThat(maxAbsDiff(logits, ref.get("logits_all"))).as("max |Δlogit| vs llama.cpp's F16 run")
                .isLessThanOrEqualTo(F16_PRIMARY_TOLERANCE);
        assertThat(greedy(runner, prompt, ref.get("greedy_ids").size())).containsExactly(SharedData.ints(ref.get("greedy_ids")));
    }
}
