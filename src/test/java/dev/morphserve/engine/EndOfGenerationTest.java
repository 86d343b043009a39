package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.gguf.GgmlType;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import dev.morphserve.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any end-of-generation token (EOT, EOM, not only EOS) stops a request, in the serving engine and
 * in the single-sequence generator: the greedy run is replayed with one of its own tokens declared
 * an end-of-turn token, and must stop right before it.
 */
class EndOfGenerationTest {
    @TempDir
    static Path tmp;

    @Test
    void anEndOfTurnTokenStopsGenerationBeforeItIsEmitted() throws Exception {
        Path path = tmp.resolve("small-q8_0.gguf");
        SyntheticModel.write(ModelShape.SMALL, GgmlType.Q8_0, 21, path, n -> {});
        try (LoadedModel model = ModelLoader.load(path);
                CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, KvType.F16)) {
            Vocabulary vocabulary = model.tokenizer().vocabulary();
            int[] prompt = new SplittableRandom(5).ints(12, 3, model.config().vocabSize()).toArray();
            int[] free = generate(backend, model, vocabulary, prompt, 12, true);
            int stopAt = firstNewToken(free);
            Vocabulary withEndOfTurn = Vocabulary.of(vocabulary.pieces(), vocabulary.scores(), vocabulary.tokenTypes(),
                    vocabulary.bosId(), vocabulary.eosId(), vocabulary.unknownId(), vocabulary.addBos(),
                    vocabulary.addSpacePrefix(), new int[] {vocabulary.eosId(), free[stopAt]});

            assertThat(generate(backend, model, withEndOfTurn, prompt, 12, false))
                    .containsExactly(Arrays.copyOf(free, stopAt));
            var generator = new SequenceGenerator(backend.runner(model), withEndOfTurn);
            var result = generator.generate(prompt, 12, SamplingParams.greedy(), id -> {});
            assertThat(result.tokens()).containsExactly(Arrays.copyOf(free, stopAt));
            assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    /** The first position (after the first) whose token did not occur before it. */
    private static int firstNewToken(int[] tokens) {
        for (int i = 1; i < tokens.length; i++) {
            int token = tokens[i];
            if (Arrays.stream(tokens, 0, i).noneMatch(t -> t == token)) {
                return i;
            }
        }
        throw new AssertionError("the greedy run repeats one token: " + Arrays.toString(tokens));
    }

    private static int[] generate(CpuBackend backend, LoadedModel model, Vocabulary vocabulary, int[] prompt, int maxTokens,
            boolean ignoreEos) throws InterruptedException {
        BlockPool pool = new BlockPool(backend.kvLayout(model.config(), 16), 64);
        try (Engine engine = new Engine(backend.runner(model), vocabulary, pool, new EngineSettings(16, 512, 64, 256, 1 << 20))) {
            var request = new GenerationRequest("r", prompt, SamplingParams.greedy(), maxTokens, ignoreEos);
            List<GenerationEvent> events = engine.generate(request).collect().asList().await().atMost(Duration.ofSeconds(60));
            var finished = (GenerationEvent.Finished) events.getLast();
            assertThat(finished.reason()).isEqualTo(ignoreEos ? FinishReason.LENGTH : FinishReason.STOP);
            return events.stream()
                    .filter(e -> e instanceof GenerationEvent.Token)
                    .mapToInt(e -> ((GenerationEvent.Token) e).tokenId())
                    .toArray();
        }
    }
}
