package dev.morphserve.study;

import dev.morphserve.morph.LayerVariants;
import dev.morphserve.testing.MorphTestModels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.study.SwapQualityStudy.Curve;
import dev.morphserve.study.SwapQualityStudy.CurveResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwapQualityStudyTest {
    @TempDir
    Path dir;

    @Test
    void sharedSetsAreEvaluatedOnceAndTheOracleBoundsEveryOrder() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            int[] tokens = model.tokenizer().encode(MorphTestModels.text(40), true);
            var study = new SwapQualityStudy(backend.runner(model), variants, tokens, 63, AgreementSettings.OFF);
            List<Curve> curves = List.of(new Curve("front", List.of(List.of(0, 1))),
                    new Curve("both", List.of(List.of(0, 1), List.of(1, 0))));
            // {}, {0}, {0,1}, {1}
            assertThat(SwapQualityStudy.evaluations(curves, 2, 0)).isEqualTo(4);
            AtomicInteger evaluations = new AtomicInteger();

            List<CurveResult> results = study.run(curves, 2, evaluations::incrementAndGet);
            List<CurveResult> oracle = study.oracle(2, 2, evaluations::incrementAndGet);

            assertThat(evaluations.get()).isEqualTo(4); // the oracle's sets were all evaluated already
            var front = results.get(0).points();
            var both = results.get(1).points();
            assertThat(both.get(0).meanPerplexity()).isEqualTo(front.get(0).meanPerplexity());
            assertThat(both.get(2).meanPerplexity()).isEqualTo(front.get(2).meanPerplexity());
            assertThat(both.get(1).minPerplexity()).isLessThanOrEqualTo(both.get(1).meanPerplexity());
            assertThat(both.get(1).maxPerplexity()).isGreaterThan(both.get(1).minPerplexity());
            assertThat(oracle.get(0).points().get(1).meanPerplexity()).isEqualTo(both.get(1).minPerplexity());
            assertThat(oracle.get(1).points().get(1).meanPerplexity()).isEqualTo(both.get(1).maxPerplexity());
            assertThatThrownBy(() -> study.oracle(13, 1, () -> {})).hasMessageContaining("at most 12 layers");
        }
    }

    @Test
    void everySetGetsAgreementTooAndTheRandomCurveAveragesIt() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            int[] tokens = model.tokenizer().encode(MorphTestModels.text(80), true);
            var study = new SwapQualityStudy(backend.runner(model), variants, tokens, 63, new AgreementSettings(4, 24, 8));
            List<Curve> curves = List.of(new Curve("both", List.of(List.of(0, 1), List.of(1, 0))));

            var both = study.run(curves, 2, () -> {}).getFirst().points();
            var first = study.alongOrder(List.of(0, 1), 2, () -> {}); // every set cached: same numbers
            var second = study.alongOrder(List.of(1, 0), 2, () -> {});

            assertThat(both.get(0).meanAgreement()).isEqualTo(1.0);
            assertThat(both.get(0).meanCommonPrefixTokens()).isEqualTo(24.0);
            double a = first.get(1).agreement();
            double b = second.get(1).agreement();
            assertThat(both.get(1).meanAgreement()).isEqualTo((a + b) / 2);
            assertThat(both.get(1).minAgreement()).isEqualTo(Math.min(a, b));
            assertThat(both.get(1).maxAgreement()).isEqualTo(Math.max(a, b));
            assertThat(both.get(1).meanCommonPrefixTokens())
                    .isEqualTo((first.get(1).meanCommonPrefixTokens() + second.get(1).meanCommonPrefixTokens()) / 2);
            assertThat(first.get(2)).isEqualTo(second.get(2)); // the same set {0, 1}
        }
    }

    @Test
    void agreementOffLeavesItNaN() throws Exception {
        try (LoadedModel model = MorphTestModels.tiny(dir);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16);
                LayerVariants variants = LayerVariants.quantize(model.weights(), GgmlType.Q4_0)) {
            int[] tokens = model.tokenizer().encode(MorphTestModels.text(40), true);
            var study = new SwapQualityStudy(backend.runner(model), variants, tokens, 63, AgreementSettings.OFF);

            var along = study.alongOrder(List.of(0, 1), 1, () -> {});

            assertThat(along.get(1).agreement()).isNaN();
            assertThat(along.get(1).perplexity()).isFinite();
        }
    }
}
