package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1f, 3f, 2.9f, -1f, 0.5f};

    private static int sample(SamplingParams params, int[] prompt, int... outputs) {
        TokenHistory history = new TokenHistory(prompt);
        for (int o : outputs) {
            history.addOutput(o);
        }
        return new Sampler(params).sample(LOGITS.clone(), 0, LOGITS.length, history);
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
}
