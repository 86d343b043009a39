package dev.morphserve.model;

import dev.morphserve.kvcache.KvType;
import dev.morphserve.kvcache.SequenceKv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The forward pass on Vector kernels equals the forward pass on scalar reference kernels, for a
 * synthetic model in every weight type, on a prefill step and on decode steps after it.
 */
class ForwardEquivalenceTest {
    @TempDir
    static Path tmp;

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void vectorForwardEqualsScalarForward(GgmlType type) throws Exception {
        Path path = tmp.resolve("tiny-" + type + ".gguf");
        SyntheticModel.write(ModelShape.TINY, type, 99, path, n -> {});
        int[] prompt = new SplittableRandom(5).ints(19, 3, ModelShape.TINY.vocabSize).toArray();
        try (LoadedModel model = ModelLoader.load(path);
                CpuBackend vector = CpuBackend.create(3, KernelKind.VECTOR, KvType.F16);
                CpuBackend scalar = CpuBackend.create(1, KernelKind.SCALAR, KvType.F16)) {
            float[][] expected = run(scalar.runner(model), prompt);
            float[][] actual = run(vector.runner(model), prompt);
            // Both paths decode identical weights and keep activations in float; only the order of
            // accumulation differs.
            double tolerance = 1e-3;
            for (int step = 0; step < expected.length; step++) {
                assertThat(maxRelativeError(actual[step], expected[step])).as("%s step %d", type, step).isLessThan(tolerance);
            }
        }
    }

    /** Prefill of the prompt with all logits, then three decode steps. */
    private static float[][] run(ModelRunner runner, int[] prompt) {
        try (SequenceKv cache = runner.sequenceKv(32)) {
            float[][] out = new float[4][];
            out[0] = runner.forward(ForwardBatch.ofSequence(prompt, 0, cache.table(), true), cache.cache());
            for (int i = 1; i < 4; i++) {
                out[i] = runner.forward(ForwardBatch.ofSequence(new int[] {i + 10}, prompt.length + i - 1, cache.table(), false), cache.cache());
            }
            return out;
        }
    }

    /** max |a - e| relative to the largest |e| (logits near zero make element-wise ratios meaningless). */
    private static double maxRelativeError(float[] actual, float[] expected) {
        double scale = 0;
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            error = Math.max(error, Math.abs(actual[i] - expected[i]));
        }
        return error / scale;
    }
}
