package dev.morphserve.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineSettings;
import dev.morphserve.engine.GenerationEvent;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.SamplingParams;
import dev.morphserve.engine.SequenceGenerator;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kernel.ActivationRounding;
import dev.morphserve.kernel.ScalarKernels;
import dev.morphserve.kernel.WorkerPool;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.CpuModelRunner;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.model.WeightsTable;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.backend.LayerUpload;
import dev.morphserve.testing.RefModels;
import dev.morphserve.testing.SharedData;
import dev.morphserve.tensor.TensorConverter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CUDA backend end to end through LWJGL, on the stand-in driver (src/test/cuda/standin) that
 * runs the real PTX's kernels on the CPU emulator: allocations, copies, the stream, launches, the
 * paged KV cache in device memory, layer copies. Compared with llama2.c's golden outputs and with
 * the CPU backend.
 *
 * <p>Logit tolerance: the CPU backend keeps K and V in float32, the CUDA backend in F16 (11-bit
 * mantissa, relative rounding error 2^-11 ~ 4.9e-4 per element), and the two sum in different
 * orders. Over stories260K's five layers that moves logits of magnitude ~10 by a few 1e-3; 0.02
 * absolute leaves room and still catches any real kernel error (a wrong element moves logits by
 * whole units).
 */
class CudaBackendTest {
    static final int STORIES_CONTEXT = 512;
    static final float LOGIT_TOLERANCE = 0.02f;


    /** {@code -Dmorphserve.test.cuda=device}: run on the machine's real driver and GPU (src/test/gpu/check.sh). */
    private static final boolean ON_DEVICE = "device".equals(System.getProperty("morphserve.test.cuda"));

    private static CudaBackend cuda;
    private static CpuBackend cpu;
    private static LoadedModel stories;

    @BeforeAll
    static void open() throws Exception {
        if (!ON_DEVICE) {
            assumeTrue(System.getProperty("org.lwjgl.cuda.libname") != null,
                    "skipped: LWJGL is not pointed at the stand-in driver (Maven's cuda-standin test run does that)");
            Path standIn = Path.of(System.getProperty("cuda.standin.dir", "target/cuda-emu"), "libcuda.so");
            assumeTrue(Files.isRegularFile(standIn), () -> "skipped: " + standIn + " was not built (it needs g++, and nvcc for the PTX)");
            assumeTrue(KernelImage.packaged().isPresent(), "skipped: this build has no CUDA kernels (nvcc was not on the PATH)");
        }
        stories = ModelLoader.load(SharedData.storiesGguf(), STORIES_CONTEXT);
        cuda = CudaBackend.open(KvType.F16);
        cpu = CpuBackend.create(1, KernelKind.VECTOR, KvType.F16);
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            cuda.close();
            cpu.close();
            stories.close();
        }
    }

    @Test
    void opensTheDeviceWithTheKernelsItCanLoad() {
        System.out.println("backend: " + cuda.description());
        assertThat(cuda.memory().totalBytes()).isPositive();
        if (ON_DEVICE) { // an H200 (sm_90) loads the cubin that ptxas made from the packaged PTX
            assertThat(cuda.description()).containsAnyOf(".cubin", "morphserve.ptx");
        } else { // the stand-in reports compute capability 8.6, for which the jar has no cubin
            assertThat(cuda.description()).contains("MorphServe CPU emulator").contains("morphserve.ptx");
        }
    }

    @Test
    void greedyGenerationMatchesLlama2c() {
        var golden = SharedData.golden().get("greedy").get(0);
        int[] expected = SharedData.ints(golden.get("token_ids"));
        int[] prompt = stories.tokenizer().encode(golden.get("prompt").asText(), true);
        var generator = new SequenceGenerator(cuda.runner(stories), stories.tokenizer().vocabulary());
        var result = generator.generate(prompt, golden.get("steps").asInt() - prompt.length + 1, SamplingParams.greedy(), id -> {});
        int[] all = new int[prompt.length + result.tokens().length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(result.tokens(), 0, all, prompt.length, result.tokens().length);
        assertThat(all).containsExactly(expected);
    }

    @Test
    void logitsAgreeWithTheCpuBackendForPrefillAndDecode() {
        int[] text = SharedData.ints(SharedData.golden().get("greedy").get(0).get("token_ids"));
        int prefill = 40; // above the decode kernel's 8 tokens: the tiled kernels run
        ModelRunner onGpu = cuda.runner(stories);
        ModelRunner onCpu = cpu.runner(stories);
        try (SequenceKv gpuKv = onGpu.sequenceKv(96); SequenceKv cpuKv = onCpu.sequenceKv(96)) {
            int[] prompt = java.util.Arrays.copyOf(text, prefill);
            assertClose(onGpu.forward(ForwardBatch.ofSequence(prompt, 0, gpuKv.table(), true), gpuKv.cache()),
                    onCpu.forward(ForwardBatch.ofSequence(prompt, 0, cpuKv.table(), true), cpuKv.cache()), "prefill");
            for (int p = prefill; p < prefill + 24; p++) {
                int[] token = {text[p]};
                assertClose(onGpu.forward(ForwardBatch.ofSequence(token, p, gpuKv.table(), false), gpuKv.cache()),
                        onCpu.forward(ForwardBatch.ofSequence(token, p, cpuKv.table(), false), cpuKv.cache()), "decode at " + p);
            }
        }
    }

    /**
     * Llama 3's rope_freqs (base 500000), qwen2's Q/K/V biases and NEOX RoPE, and the K-quant files
     * (Q4_K_M: Q4_K and Q6_K; Q4_K_S adds Q5_K; the Q2_K mix adds Q3_K; K-quant embeddings through
     * get_rows) on the device: logits as the CPU's float-activation scalar kernels with the same F16 KV cache
     * give them (the CPU backend's vector kernels round K-quants' activations to Q8_K, as llama.cpp), for a
     * 16-token prefill (tiled kernels) and 15 decode steps (decode kernels), and the greedy ids of
     * llama.cpp's F32-activation run. (Against llama.cpp's own logits, which kept K and V in F32, the
     * F16 cache alone moves llama3's by 0.034 on the CPU too: measured, so logits are compared with the
     * CPU's F16-cache run. The class's 0.02 bound: an F16 rounding that falls the other way moves
     * this toy model's logits by up to 1e-2, measured on the Q2_K file.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"ref-llama-F16", "ref-llama3-F16", "ref-qwen2-F16", "ref-llama-Q4_K_M", "ref-llama-Q4_K_S",
        "ref-llama-Q2_K", "ref-llama-Q6_K"})
    void refModelsMatchTheCpuAndLlamaCppGreedy(String name) throws Exception {
        JsonNode ref = RefModels.reference(name);
        int[] prompt = SharedData.ints(ref.get("prompt_ids"));
        try (LoadedModel m = ModelLoader.load(RefModels.model(name));
                WorkerPool pool = new WorkerPool(1)) {
            ModelRunner onGpu = cuda.runner(m);
            // float activations on both sides: the CPU backend's vector kernels round K-quants' to Q8_K as llama.cpp
            ModelRunner onCpu = new CpuModelRunner(m.config(), m.weights(), new ScalarKernels(ActivationRounding.NONE), pool,
                    KvType.F16);
            assertClose(RefModels.prefillLogits(onGpu, prompt), RefModels.prefillLogits(onCpu, prompt), name + " prefill");
            try (SequenceKv gpuKv = onGpu.sequenceKv(prompt.length + 16); SequenceKv cpuKv = onCpu.sequenceKv(prompt.length + 16)) {
                onGpu.forward(ForwardBatch.ofSequence(prompt, 0, gpuKv.table(), false), gpuKv.cache());
                onCpu.forward(ForwardBatch.ofSequence(prompt, 0, cpuKv.table(), false), cpuKv.cache());
                int[] greedy = SharedData.ints(ref.get("f32_activation_reference").get("greedy_ids"));
                for (int i = 0; i + 1 < greedy.length; i++) {
                    int[] token = {greedy[i]};
                    int p = prompt.length + i;
                    assertClose(onGpu.forward(ForwardBatch.ofSequence(token, p, gpuKv.table(), false), gpuKv.cache()),
                            onCpu.forward(ForwardBatch.ofSequence(token, p, cpuKv.table(), false), cpuKv.cache()),
                            name + " decode at " + p);
                }
            }
            assertThat(RefModels.greedy(onGpu, prompt, ref.get("greedy_ids").size()))
                    .containsExactly(SharedData.ints(ref.get("f32_activation_reference").get("greedy_ids")));
        }
    }

    @Test
    void batchedRequestsGiveWhatTheCpuGives() throws Exception {
        List<GenerationRequest> requests = requests(6);
        List<int[]> expected = new ArrayList<>();
        try (Engine engine = engine(cpu.runner(stories), 64)) {
            for (GenerationRequest r : requests) {
                expected.add(tokens(run(engine, r)));
            }
        }
        // All at once through a pool too small for all: chunked prefills, mixed batches, preemptions.
        try (Engine engine = engine(cuda.runner(stories), 12)) {
            var streams = requests.stream().map(r -> engine.generate(r).collect().asList().subscribeAsCompletionStage()).toList();
            for (int i = 0; i < requests.size(); i++) {
                assertThat(tokens(streams.get(i).get())).as("request %d", i).containsExactly(expected.get(i));
            }
        }
    }

    @Test
    void aMorphCycleBetweenStepsKeepsTheSequenceAndFreesTheDeviceCopies() throws Exception {
        // The CPU runs the swapped layers as the Q4_0 weights dequantized to F32: its own Q4_0 kernels
        // quantize activations to 8 bits (ggml's Q4_0 x Q8_0 product), the GPU's multiply float
        // activations, and this way both compute the same product.
        try (Managed m = Managed.open()) {
            int[] swapped = {1, 3};
            long baseBytes = 0;
            long lowBytes = 0;
            for (int l : swapped) {
                baseBytes += m.model().weights().layer(l).matrixBytes();
                lowBytes += m.variants().low(l).matrixBytes();
            }
            int[] text = SharedData.ints(SharedData.golden().get("greedy").get(0).get("token_ids"));
            try (SequenceKv gpuKv = m.onGpu().sequenceKv(64); SequenceKv cpuKv = m.onCpu().sequenceKv(64)) {
                long resident = 0;
                for (int p = 0; p < 48; p++) {
                    if (p == 16) { // swap two layers down between two steps
                        resident = cuda.residentWeightBytes();
                        for (int l : swapped) {
                            m.gpuTable().replaceLayer(l, m.onGpu().prepare(m.variants().low(l)));
                            m.cpuTable().replaceLayer(l, m.onCpu().prepare(m.variants().low(l).mapMatrices(t -> TensorConverter.convert(t, GgmlType.F32, m.arena()))));
                        }
                    }
                    if (p == 32) { // and back up
                        assertThat(cuda.residentWeightBytes()).as("the base copies went, the Q4_0 ones came")
                                .isEqualTo(resident - baseBytes + lowBytes);
                        for (int l : swapped) {
                            m.gpuTable().replaceLayer(l, m.onGpu().prepare(m.model().weights().layer(l)));
                            m.cpuTable().replaceLayer(l, m.onCpu().prepare(m.model().weights().layer(l)));
                        }
                    }
                    int[] token = {text[p]};
                    float[] gpuLogits = m.onGpu().forward(ForwardBatch.ofSequence(token, p, gpuKv.table(), false), gpuKv.cache());
                    float[] cpuLogits = m.onCpu().forward(ForwardBatch.ofSequence(token, p, cpuKv.table(), false), cpuKv.cache());
                    assertClose(gpuLogits, cpuLogits, "step " + p);
                }
                assertThat(cuda.residentWeightBytes()).as("back to the base copies").isEqualTo(resident);
            }
        }
    }

    @Test
    void aSwapCopiesThePinnedVariantOnTheCopyStreamAndTheRunnerFindsItAfterTheSwitch() throws Exception {
        try (Managed m = Managed.open()) {
            int[] text = SharedData.ints(SharedData.golden().get("greedy").get(0).get("token_ids"));
            try (SequenceKv gpuKv = m.onGpu().sequenceKv(64); SequenceKv cpuKv = m.onCpu().sequenceKv(64)) {
                long resident = 0;
                LayerUpload upload = null;
                for (int p = 0; p < 24; p++) {
                    if (p == 4) { // the copy starts; steps go on with the base layer
                        resident = cuda.residentWeightBytes();
                        upload = cuda.upload(cuda.hostTier(cuda.prepare(m.variants().low(2))));
                    }
                    if (p == 12) { // the first boundary after the copy: switch
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while (!upload.isDone() && System.nanoTime() < deadline) {
                            Thread.sleep(1);
                        }
                        assertThat(upload.isDone()).as("the copy finished").isTrue();
                        assertThat(cuda.residentWeightBytes()).as("the Q4_0 copy is resident beside the base")
                                .isEqualTo(resident + m.variants().low(2).matrixBytes());
                        m.gpuTable().replaceLayer(2, upload.weights());
                        m.cpuTable().replaceLayer(2, m.onCpu().prepare(m.variants().low(2).mapMatrices(t -> TensorConverter.convert(t, GgmlType.F32, m.arena()))));
                    }
                    int[] token = {text[p]};
                    float[] gpuLogits = m.onGpu().forward(ForwardBatch.ofSequence(token, p, gpuKv.table(), false), gpuKv.cache());
                    float[] cpuLogits = m.onCpu().forward(ForwardBatch.ofSequence(token, p, cpuKv.table(), false), cpuKv.cache());
                    assertClose(gpuLogits, cpuLogits, "step " + p);
                }
                assertThat(cuda.residentWeightBytes()).as("the runner let the base copy go").isEqualTo(resident - m.model().weights().layer(2).matrixBytes()
                        + m.variants().low(2).matrixBytes());
                m.gpuTable().replaceLayer(2, m.model().weights().layer(2));
                m.onGpu().forward(ForwardBatch.ofSequence(new int[] {text[24]}, 24, gpuKv.table(), false), gpuKv.cache());
                upload.close();
                assertThat(cuda.residentWeightBytes()).as("closing the upload freed the Q4_0 copy").isEqualTo(resident);
            }
        }
    }

    @Test
    void detachingAKvChunkMovesLiveBlocksOnTheDevice() {
        ModelRunner onGpu = cuda.runner(stories);
        ModelRunner onCpu = cpu.runner(stories);
        int[] text = SharedData.ints(SharedData.golden().get("greedy").get(0).get("token_ids"));
        var layout = onGpu.kvLayout(16);
        try (BlockPool pool = new BlockPool(layout, 8, onGpu.kvStorage()); SequenceKv cpuKv = onCpu.sequenceKv(64)) {
            var extra = pool.attachChunk(4); // new chunks are handed out first: the sequence starts there
            var table = new dev.morphserve.kvcache.BlockTable();
            for (int p = 0; p < 40; p++) {
                if (p % 16 == 0) {
                    table.add(pool.allocate());
                }
                if (p == 20) {
                    assertThat(pool.detachChunk(extra, List.of(table))).as("blocks moved").isEqualTo(2);
                }
                int[] token = {text[p]};
                assertClose(onGpu.forward(ForwardBatch.ofSequence(token, p, table, false), pool),
                        onCpu.forward(ForwardBatch.ofSequence(token, p, cpuKv.table(), false), cpuKv.cache()), "step " + p);
            }
        }
    }

    @Test
    void aTokenOutsideTheVocabularyIsRefusedBeforeItReachesTheDevice() {
        ModelRunner onGpu = cuda.runner(stories);
        try (SequenceKv kv = onGpu.sequenceKv(16)) {
            int vocab = stories.config().vocabSize();
            assertThatThrownBy(() -> onGpu.forward(ForwardBatch.ofSequence(new int[] {1, vocab}, 0, kv.table(), false), kv.cache()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id " + vocab + " outside vocabulary");
            // and the context still works
            assertThat(onGpu.forward(ForwardBatch.ofSequence(new int[] {1}, 0, kv.table(), false), kv.cache())).hasSize(vocab);
        }
    }

    @Test
    void anAllocationBeyondTheDeviceSaysWhatWasAskedAndWhatIsFree() {
        var layout = cuda.kvLayout(stories.config(), 16);
        int blocks = (int) Math.min(Integer.MAX_VALUE, cuda.memory().totalBytes() / layout.blockBytes() + 1);
        assertThatThrownBy(() -> cuda.kvStorage().allocate(layout, blocks))
                .isInstanceOf(CudaException.class)
                .hasMessageContaining("cannot allocate")
                .hasMessageContaining("MB free of");
    }

    /**
     * A model of the test's own (the device copies of its tensors belong to its runners alone), its
     * Q4_0 variants, and tables whose layers the test replaces on both backends, starting from the
     * model's own layers.
     */
    private record Managed(LoadedModel model, LayerVariants variants, Arena arena, WeightsTable gpuTable, WeightsTable cpuTable,
            ModelRunner onGpu, ModelRunner onCpu) implements AutoCloseable {
        static Managed open() throws Exception {
            LoadedModel model = ModelLoader.load(SharedData.storiesGguf(), STORIES_CONTEXT);
            LayerWeights[] layers = new LayerWeights[model.config().numLayers()];
            for (int l = 0; l < layers.length; l++) {
                layers[l] = model.weights().layer(l);
            }
            WeightsTable gpuTable = cuda.tableWithLayers(model, layers);
            WeightsTable cpuTable = cpu.tableWithLayers(model, layers);
            return new Managed(model, LayerVariants.quantize(model.weights(), GgmlType.Q4_0), Arena.ofShared(), gpuTable, cpuTable,
                    cuda.runner(model.config(), gpuTable), cpu.runner(model.config(), cpuTable));
        }

        @Override
        public void close() {
            arena.close();
            variants.close();
            model.close();
        }
    }

    private static void assertClose(float[] gpu, float[] cpu, String what) {
        assertClose(gpu, cpu, LOGIT_TOLERANCE, what);
    }

    private static void assertClose(float[] gpu, float[] cpu, float tolerance, String what) {
        assertThat(gpu).as(what).hasSameSizeAs(cpu);
        float worst = 0;
        for (int i = 0; i < cpu.length; i++) {
            worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]));
        }
        assertThat(worst).as("%s: largest logit difference", what).isLessThanOrEqualTo(tolerance);
    }

    private static Engine engine(ModelRunner runner, int blocks) {
        BlockPool pool = new BlockPool(runner.kvLayout(16), blocks, runner.kvStorage());
        return new Engine(runner, stories.tokenizer().vocabulary(), pool, new EngineSettings(16, 48, 64, 256, 1 << 20));
    }

    private static List<GenerationRequest> requests(int count) {
        SplittableRandom random = new SplittableRandom(5);
        List<GenerationRequest> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] prompt = random.ints(4 + random.nextInt(40), 3, stories.config().vocabSize()).toArray();
            list.add(new GenerationRequest("r" + i, prompt, SamplingParams.greedy(), 8 + random.nextInt(16), true));
        }
        return list;
    }

    private static List<GenerationEvent> run(Engine engine, GenerationRequest r) {
        return engine.generate(r).collect().asList().await().atMost(Duration.ofSeconds(120));
    }

    private static int[] tokens(List<GenerationEvent> events) {
        return events.stream().filter(e -> e instanceof GenerationEvent.Token).mapToInt(e -> ((GenerationEvent.Token) e).tokenId()).toArray();
    }
}
