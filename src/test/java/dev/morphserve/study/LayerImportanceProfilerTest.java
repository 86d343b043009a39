package dev.morphserve.study;

import dev.morphserve.morph.LayerProfile;
import dev.morphserve.morph.LayerScore;
import dev.morphserve.morph.LayerVariants;
import dev.morphserve.testing.MorphTestModels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LayerWeights;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelRunner;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerImportanceProfilerTest {
    @TempDir
    Path dir;

    @Test
    void scoresAreCosinesAndTheOrderIsAPermutation() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            ModelRunner runner = backend.runner(model);
            LayerWeights[] before = {runner.weights().layer(0), runner.weights().layer(1)};
            int[] tokens = model.tokenizer().encode(MorphTestModels.text(60), true);
            CalibrationWindows windows = CalibrationWindows.of(tokens, 48);
            assertThat(windows.inputs().size()).isGreaterThan(1);
            AtomicLong passes = new AtomicLong();

            LayerProfile profile = new LayerImportanceProfiler(runner, variants, MdsReference.CHOSEN_SWAPPED, passes::incrementAndGet)
                    .profile(windows, "tiny-f32.gguf", "test text");

            assertThat(passes.get()).isEqualTo(LayerImportanceProfiler.forwardPasses(windows.inputs().size(), 2, MdsReference.CHOSEN_SWAPPED));
            assertThat(profile.calibrationTokens()).isEqualTo(tokens.length - 1 + windows.inputs().size());
            assertThat(profile.lowType()).isEqualTo("Q4_0");
            assertThat(profile.swapOrder()).containsExactlyInAnyOrder(0, 1);
            for (LayerScore s : profile.layers()) {
                assertThat(s.lts()).isBetween(-1.0, 1.0);
                // Q4_0 changes a layer's output a little, never to something unrelated
                assertThat(s.lrs()).isBetween(0.9, 1.0).isLessThan(1.0);
                assertThat(s.mds()).isBetween(0.5, 1.0).isLessThan(1.0);
                assertThat(s.lis()).isCloseTo(LayerScore.lis(s.lts(), s.lrs(), s.mds()), within(1e-15));
                assertThat(profile.swapOrder().get(s.rank())).isEqualTo(s.layer());
            }
            // the runner's own layers are back
            assertThat(runner.weights().layer(0)).isSameAs(before[0]);
            assertThat(runner.weights().layer(1)).isSameAs(before[1]);
        }
    }

    @Test
    void algorithmOneMeasuresLaterRoundsAgainstTheModelWithTheChosenLayersSwapped() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            ModelRunner runner = backend.runner(model);
            CalibrationWindows windows = CalibrationWindows.of(model.tokenizer().encode(MorphTestModels.text(60), true), 48);
            LayerProfile chosen = new LayerImportanceProfiler(runner, variants, MdsReference.CHOSEN_SWAPPED, () -> {})
                    .profile(windows, "tiny-f32.gguf", "test text");
            LayerProfile full = new LayerImportanceProfiler(runner, variants, MdsReference.FULL_PRECISION, () -> {})
                    .profile(windows, "tiny-f32.gguf", "test text");
            assertThat(chosen.mdsReference()).isEqualTo("chosen-swapped");
            assertThat(full.mdsReference()).isEqualTo("full-precision");
            // Round 0 (nothing chosen yet) is the same measurement in both; so is the pick.
            int first = chosen.swapOrder().get(0);
            assertThat(full.swapOrder().get(0)).isEqualTo(first);
            assertThat(chosen.layers().get(first).mds()).isEqualTo(full.layers().get(first).mds());
            // Round 1 compares with the first layer swapped: one more swap moves the output less than both from base.
            int second = chosen.swapOrder().get(1);
            assertThat(chosen.layers().get(second).mds()).isNotEqualTo(full.layers().get(second).mds());
            assertThat(chosen.layers().get(second).mds()).isGreaterThan(full.layers().get(second).mds());
        }
    }

    @Test
    void calibrationWindowsCoverEveryTokenOnceAfterBos() {
        int[] tokens = {1, 10, 11, 12, 13, 14, 15, 16};
        CalibrationWindows windows = CalibrationWindows.of(tokens, 4);
        assertThat(windows.inputs()).hasSize(3);
        assertThat(windows.inputs().get(0)).containsExactly(1, 10, 11, 12);
        assertThat(windows.inputs().get(1)).containsExactly(1, 13, 14, 15);
        assertThat(windows.inputs().get(2)).containsExactly(1, 16);
        assertThat(windows.totalTokens()).isEqualTo(10);
        assertThat(windows.maxWindowTokens()).isEqualTo(4);
    }
}
