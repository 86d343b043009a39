package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.morphserve.testing.SharedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LengthMapperTest {

    @Test
    void clipKeepsRequestsThatFitAndClipsTheLongSide() {
        List<TimedRequest> in = List.of(
                new TimedRequest(0, 100, 20),   // fits
                new TimedRequest(1, 4808, 10),  // long prompt: keeps the 10 output tokens
                new TimedRequest(2, 374, 2000), // long output: keeps the 374-token prompt
                new TimedRequest(3, 3000, 3000), // both long: even split
                new TimedRequest(4, 0, 0));     // degenerate trace row: both raised to 1
        LengthMapping mapping = LengthMapper.map(in, 2048, LengthMapper.Mode.CLIP);

        assertThat(mapping.scaleFactor()).isEqualTo(1.0);
        assertThat(mapping.requests()).extracting(r -> List.of(r.promptTokens(), r.outputTokens())).containsExactly(
                List.of(100, 20), List.of(2038, 10), List.of(374, 1674), List.of(1024, 1024), List.of(1, 1));
        assertThat(mapping.clippedRequests()).isEqualTo(3);
        assertThat(mapping.requests()).extracting(TimedRequest::arrivalMs).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
        assertThat(mapping.describe()).contains("clip to context 2048", "factor 1.0000", "3 of 5 requests clipped");
    }

    @Test
    void scaleUsesOneFactorFromTheP99OfPromptPlusOutput() {
        // Totals 100..10000 step 100: p99 (linear interpolation) = 9901, so factor = 512 / 9901.
        List<TimedRequest> in = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            in.add(new TimedRequest(i, 90 * i, 10 * i));
        }
        LengthMapping mapping = LengthMapper.map(in, 512, LengthMapper.Mode.SCALE);
        double factor = 512.0 / 9901.0;
        assertThat(mapping.scaleFactor()).isCloseTo(factor, within(1e-12));
        TimedRequest mid = mapping.requests().get(49); // 4500 + 500
        assertThat(mid.promptTokens()).isEqualTo((int) Math.floor(4500 * factor));
        assertThat(mid.outputTokens()).isEqualTo((int) Math.floor(500 * factor));
        assertThat(mapping.clippedRequests()).isEqualTo(1); // only the 10000-token request exceeds p99
        assertInvariants(mapping, 512);
    }

    @Test
    void scaleNeverStretchesATraceThatAlreadyFits() {
        List<TimedRequest> in = List.of(new TimedRequest(0, 10, 5), new TimedRequest(1, 20, 5));
        assertThat(LengthMapper.map(in, 2048, LengthMapper.Mode.SCALE).scaleFactor()).isEqualTo(1.0);
        assertThat(LengthMapper.map(in, 2048, LengthMapper.Mode.SCALE).requests()).isEqualTo(in);
    }

    @Test
    void invariantsHoldOnRandomLengthsAndTinyContexts() {
        SplittableRandom random = new SplittableRandom(3);
        for (int context : new int[] {2, 3, 17, 512, 2048}) {
            List<TimedRequest> in = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                in.add(new TimedRequest(i, random.nextInt(0, 50_000), random.nextInt(0, 5000)));
            }
            for (LengthMapper.Mode mode : LengthMapper.Mode.values()) {
                assertInvariants(LengthMapper.map(in, context, mode), context);
            }
        }
        assertThatThrownBy(() -> LengthMapper.map(List.of(), 1, LengthMapper.Mode.CLIP)).hasMessageContaining("--context");
    }

    @Test
    void realTracesFitStories260KContext() throws IOException {
        var azure = new AzureTraceWorkload(SharedData.require("traces/AzureLLMInferenceTrace_code.csv"), TraceWindow.ALL).requests();
        var mooncake = new MooncakeTraceWorkload(SharedData.require("traces/mooncake_fast25_synthetic_trace.jsonl"), TraceWindow.ALL)
                .requests();
        for (var trace : List.of(azure, mooncake)) {
            LengthMapping scaled = LengthMapper.map(trace, 512, LengthMapper.Mode.SCALE);
            assertInvariants(scaled, 512);
            assertThat(scaled.scaleFactor()).isLessThan(1);
            // p99 fits by construction and lengths are rounded down, so at most 1 % is clipped.
            assertThat(scaled.clippedRequests()).isLessThanOrEqualTo(trace.size() / 100);
            assertInvariants(LengthMapper.map(trace, 512, LengthMapper.Mode.CLIP), 512);
        }
    }

    private static void assertInvariants(LengthMapping mapping, int context) {
        assertThat(mapping.requests()).hasSize(mapping.totalRequests()).allSatisfy(r -> {
            assertThat(r.promptTokens()).isGreaterThanOrEqualTo(1);
            assertThat(r.outputTokens()).isGreaterThanOrEqualTo(1);
            assertThat(r.promptTokens() + r.outputTokens()).isLessThanOrEqualTo(context);
        });
    }
}
