package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1f, 3f, 2.9f, -1f, 0.5f};

    private static Sampler.Pick pick(SamplingParams params, int[] prompt, int... outputs) {
        TokenHistory history = new TokenHistory(prompt);
        for (int o : outputs) {
            history.addOutput(o);
        }
        return new Sampler(params).sample(LOGITS.clone(), 0, LOGITS.length, history);
    }

    private static SamplingParams withBias(float temperature, long seed, LogitBias bias, int logprobs) {
        return new SamplingParams(temperature, 0, 1f, 0f, seed, 1f, 0f, 0f, bias, logprobs);
    }

    /** log softmax of the raw logits, written out independently of {@link Logprobs}: log(e^x_i / sum_j e^x_j). */
    private static double referenceLogprob(float[] logits, int id) {
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l);
        }
        return Math.log(Math.exp(logits[id]) / sum);
    }

    private static int sample(SamplingParams params, int[] prompt, int... outputs) {
        TokenHistory history = new TokenHistory(prompt);
        for (int o : outputs) {
            history.addOutput(o);
        }
        return pick(params, prompt, outputs).tokenId();
    }

    @Test
    void greedyTakesTheArgmaxAndTopKOfOneIsGreedy() {
        assertThat(sample(SamplingParams.greedy(), new int[0])).isEqualTo(1);
        for (long seed = 0; seed < 20; seed++) {
            assertThat(sample(new SamplingParams(1.5f, 1, 1f, 0f, seed), new int[0])).isEqualTo(1);
        }
    }

    @Test
    void theSameSeedGivesTheSameTokensAndOthersVary() {
        Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            var params = new SamplingParams(2f, 0, 1f, 0f, seed);
            int a = sample(params, new int[0]);
            assertThat(sample(params, new int[0])).isEqualTo(a);
            seen.add(a);
        }
        assertThat(seen).hasSizeGreaterThan(2);
    }

    @Test
    void minPAndTopPCutTheTail() {
        for (long seed = 0; seed < 50; seed++) {
            // min-p 0.5: only tokens at least half as likely as the best survive (1 and 2).
            assertThat(sample(new SamplingParams(1f, 0, 1f, 0.5f, seed), new int[0])).isIn(1, 2);
            // top-p 0.4: token 1 alone holds 47 % of the mass, so it is the whole nucleus.
            assertThat(sample(new SamplingParams(1f, 0, 0.4f, 0f, seed), new int[0])).isEqualTo(1);
        }
    }

    @Test
    void penaltiesPushRepeatedTokensDown() {
        // Token 1 was generated twice: frequency 0.1 * 2 takes its logit from 3 to 2.8 < 2.9.
        assertThat(sample(new SamplingParams(0f, 0, 1f, 0f, 0, 1f, 0.1f, 0f), new int[0], 1, 1)).isEqualTo(2);
        // Presence 0.2 once: 3 - 0.2 = 2.8 < 2.9.
        assertThat(sample(new SamplingParams(0f, 0, 1f, 0f, 0, 1f, 0f, 0.2f), new int[0], 1)).isEqualTo(2);
        // Repetition 1.1 on a prompt token: 3 / 1.1 = 2.73 < 2.9.
        assertThat(sample(new SamplingParams(0f, 0, 1f, 0f, 0, 1.1f, 0f, 0f), new int[] {1})).isEqualTo(2);
        // Without penalties the repeated token still wins.
        assertThat(sample(SamplingParams.greedy(), new int[] {1}, 1, 1)).isEqualTo(1);
    }

    @Test
    void logitBiasMovesGreedyAndSampledChoices() {
        // +0.2 on token 2 lifts it from 2.9 to 3.1, above token 1's 3.
        assertThat(sample(withBias(0f, 0, LogitBias.of(Map.of(2, 0.2f)), -1), new int[0])).isEqualTo(2);
        // Without it greedy takes token 1: the bias, not the test's logits, decides.
        assertThat(sample(withBias(0f, 0, LogitBias.NONE, -1), new int[0])).isEqualTo(1);
        for (long seed = 0; seed < 100; seed++) {
            // -100 bans tokens 1 and 2; +100 on token 3 forces it whatever the temperature.
            assertThat(sample(withBias(1f, seed, LogitBias.of(Map.of(1, -100f, 2, -100f)), -1), new int[0])).isIn(0, 3, 4);
            assertThat(sample(withBias(2f, seed, LogitBias.of(Map.of(3, 100f)), -1), new int[0])).isEqualTo(3);
        }
    }

    @Test
    void thePublicSampleAppliesTheBiasWithoutTouchingTheLogits() {
        float[] logits = LOGITS.clone();
        assertThat(new Sampler(withBias(0f, 0, LogitBias.of(Map.of(4, 3f)), -1)).sample(logits, 0, logits.length)).isEqualTo(4);
        assertThat(logits).containsExactly(LOGITS);
    }

    @Test
    void logprobsAreTheRawLogSoftmaxWhateverTheSamplingSettings() {
        // Temperature 2, a frequency penalty and a bias that forces token 3: the sampled token is 3,
        // and its logprob is still its log-probability under the model's raw logits.
        var params = new SamplingParams(2f, 0, 1f, 0f, 7, 1f, 0.5f, 0f, LogitBias.of(Map.of(3, 100f)), 2);
        Sampler.Pick pick = pick(params, new int[0], 1);
        assertThat(pick.tokenId()).isEqualTo(3);
        TokenLogprobs lp = pick.logprobs();
        assertThat(lp.tokenId()).isEqualTo(3);
        assertThat((double) lp.logprob()).isCloseTo(referenceLogprob(LOGITS, 3), within(1e-6));
        assertThat(lp.top()).extracting(TokenLogprobs.Candidate::tokenId).containsExactly(1, 2);
        for (TokenLogprobs.Candidate c : lp.top()) {
            assertThat((double) c.logprob()).isCloseTo(referenceLogprob(LOGITS, c.tokenId()), within(1e-6));
        }
        // logprobs 0: the sampled token only; not asked: nothing at all.
        assertThat(pick(withBias(0f, 0, LogitBias.NONE, 0), new int[0]).logprobs().top()).isEmpty();
        assertThat(pick(SamplingParams.greedy(), new int[0]).logprobs()).isNull();
    }

    @Test
    void logprobsSurviveLargeLogitsAndTopIdsBreakTiesToTheLowerId() {
        float[] big = {1000f, 1000f, 990f, -1000f};
        TokenLogprobs lp = Logprobs.of(big, 0, big.length, 2, 3);
        assertThat((double) lp.logprob()).isCloseTo(-10 - Math.log(2 + Math.exp(-10)), within(1e-5));
        assertThat(lp.top()).extracting(TokenLogprobs.Candidate::tokenId).containsExactly(0, 1, 2);
        assertThat((double) lp.top().get(0).logprob()).isCloseTo(-Math.log(2 + Math.exp(-10)), within(1e-5));
        assertThat(Logprobs.topIds(new float[] {5, 7, 7, 1, 7}, 0, 5, 2)).containsExactly(1, 2);
        assertThat(Logprobs.topIds(new float[] {0, 1, 2, 3, 4, 5}, 0, 6, 4)).containsExactly(5, 4, 3, 2);
    }
}
