package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.BlockTable;
import dev.morphserve.kvcache.SequenceKv;
import dev.morphserve.model.ForwardBatch;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.testing.SmallCpuModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's output options end to end on a synthetic model: n sequences over shared prompt
 * blocks, logprobs checked against a log-softmax computed here from the model's own logits, and
 * logit_bias.
 */
class EngineChoicesTest {
    @RegisterExtension
    static final SmallCpuModel SMALL = new SmallCpuModel(21);

    /** Watches the block tables before every step: how many blocks are in use and how many table entries share one. */
    private static final class BlockWatch implements StepHook {
        final AtomicInteger peakUsed = new AtomicInteger();
        final AtomicInteger peakSharedEntries = new AtomicInteger();

        @Override
        public void beforeStep(StepBoundary boundary) {
            Set<Integer> distinct = new HashSet<>();
            int entries = 0;
            for (BlockTable t : boundary.liveBlockTables()) {
                for (int id : t.toArray()) {
                    distinct.add(id);
                    entries++;
                    assertThat(boundary.pool().refCount(id)).isPositive();
                }
            }
            BlockPool pool = boundary.pool();
            assertThat(pool.numTotalBlocks() - pool.numFreeBlocks()).as("blocks in use = distinct blocks in tables").isEqualTo(distinct.size());
            peakUsed.accumulateAndGet(distinct.size(), Math::max);
            peakSharedEntries.accumulateAndGet(entries - distinct.size(), Math::max);
        }

        @Override
        public int numSwappedLayers() {
            return 0;
        }
    }

    private static Engine engine(int blocks, int maxTokensPerStep, StepHook hook) {
        BlockPool pool = new BlockPool(SMALL.backend().kvLayout(SMALL.model().config(), 16), blocks);
        return new Engine(SMALL.backend().runner(SMALL.model()), SMALL.model().tokenizer().vocabulary(), pool, new EngineSettings(16, maxTokensPerStep, 64, 256, 1 << 20), hook);
    }

    private static int[] prompt(int seed, int length) {
        return new SplittableRandom(seed).ints(length, 3, SMALL.model().config().vocabSize()).toArray();
    }

    private static List<GenerationEvent> run(Engine engine, GenerationRequest r) {
        return engine.generate(r).collect().asList().await().atMost(Duration.ofSeconds(60));
    }

    private static int[] tokens(List<GenerationEvent> events, int index) {
        return events.stream()
                .filter(e -> e instanceof GenerationEvent.Token t && t.index() == index)
                .mapToInt(e -> ((GenerationEvent.Token) e).tokenId())
                .toArray();
    }

    private static List<GenerationEvent.Finished> finished(List<GenerationEvent> events) {
        return events.stream().filter(e -> e instanceof GenerationEvent.Finished).map(e -> (GenerationEvent.Finished) e).toList();
    }

    private static void awaitAllBlocksFree(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && engine.stats().freeBlocks() != engine.stats().totalBlocks()) {
            Thread.sleep(10);
        }
        assertThat(engine.stats().freeBlocks()).isEqualTo(engine.stats().totalBlocks());
    }

    @Test
    void greedyChoicesAreIdenticalEqualToOneChoiceAndShareThePromptBlocks() throws Exception {
        int[] prompt = prompt(5, 60); // 3 full blocks before the one holding the last prompt token
        var one = new GenerationRequest("one", prompt, SamplingParams.greedy(), 12, true);
        var two = new GenerationRequest("two", prompt, SamplingParams.greedy(), 12, true, 2, -1);
        int[] alone;
        try (Engine engine = engine(64, 512, StepHook.NONE)) {
            alone = tokens(run(engine, one), 0);
        }
        BlockWatch forked = new BlockWatch();
        try (Engine engine = engine(64, 512, forked)) {
            List<GenerationEvent> events = run(engine, two);
            assertThat(tokens(events, 0)).hasSize(12).containsExactly(alone);
            assertThat(tokens(events, 1)).containsExactly(alone);
            assertThat(finished(events)).extracting(GenerationEvent.Finished::index).containsExactlyInAnyOrder(0, 1);
            assertThat(finished(events)).allSatisfy(f -> {
                assertThat(f.reason()).isEqualTo(FinishReason.LENGTH);
                assertThat(f.completionTokens()).isEqualTo(12);
                assertThat(f.promptTokens()).isEqualTo(60);
            });
            assertThat(events.getLast()).isInstanceOf(GenerationEvent.Finished.class);
            awaitAllBlocksFree(engine);
        }
        assertThat(forked.peakSharedEntries.get()).as("the second sequence holds the 3 full prompt blocks of the first").isEqualTo(3);
        // Two independent requests for the same prompt, both admitted in the first step.
        BlockWatch independent = new BlockWatch();
        try (Engine engine = engine(64, 512, independent)) {
            var a = engine.generate(new GenerationRequest("a", prompt, SamplingParams.greedy(), 12, true)).collect().asList()
                    .subscribeAsCompletionStage();
            var b = engine.generate(new GenerationRequest("b", prompt, SamplingParams.greedy(), 12, true)).collect().asList()
                    .subscribeAsCompletionStage();
            assertThat(tokens(a.get(), 0)).containsExactly(alone);
            assertThat(tokens(b.get(), 0)).containsExactly(alone);
            awaitAllBlocksFree(engine);
        }
        assertThat(independent.peakSharedEntries.get()).isZero();
        assertThat(forked.peakUsed.get()).as("n = 2 holds fewer blocks than two requests").isLessThan(independent.peakUsed.get());
    }

    @Test
    void sampledChoicesUseSeedPlusIndexAndReproduce() throws Exception {
        int[] prompt = prompt(6, 37);
        var params = new SamplingParams(1f, 0, 1f, 0f, 1234L);
        var three = new GenerationRequest("three", prompt, params, 16, true, 3, -1);
        try (Engine engine = engine(64, 512, StepHook.NONE)) {
            List<GenerationEvent> first = run(engine, three);
            List<GenerationEvent> again = run(engine, three);
            Set<String> distinct = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                assertThat(tokens(again, i)).as("choice %d reproduces", i).containsExactly(tokens(first, i));
                // Choice i samples with seed + i over the same logits a lone request with that seed sees.
                var lone = new GenerationRequest("lone" + i, prompt, params.withSeed(1234L + i), 16, true);
                assertThat(tokens(first, i)).as("choice %d", i).containsExactly(tokens(run(engine, lone), 0));
                distinct.add(Arrays.toString(tokens(first, i)));
            }
            assertThat(distinct).as("distinct seeds give distinct choices").hasSizeGreaterThan(1);
            awaitAllBlocksFree(engine);
        }
    }

    @Test
    void choicesSurvivePreemptionInASmallPoolAndFreeEveryBlock() throws Exception {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(new GenerationRequest("p" + i, prompt(20 + i, 20 + 9 * i), SamplingParams.greedy(), 20, true, 1 + i % 3, -1));
        }
        List<int[]> alone = new ArrayList<>();
        try (Engine engine = engine(128, 512, StepHook.NONE)) {
            for (GenerationRequest r : requests) {
                alone.add(tokens(run(engine, new GenerationRequest("alone", r.promptTokens(), r.sampling(), r.maxTokens(), true)), 0));
            }
        }
        BlockWatch watch = new BlockWatch();
        try (Engine engine = engine(16, 48, watch)) {
            var streams = requests.stream().map(r -> engine.generate(r).collect().asList().subscribeAsCompletionStage()).toList();
            for (int i = 0; i < requests.size(); i++) {
                List<GenerationEvent> events = streams.get(i).get();
                for (int c = 0; c < requests.get(i).n(); c++) {
                    assertThat(tokens(events, c)).as("request %d choice %d", i, c).containsExactly(alone.get(i));
                }
                assertThat(finished(events)).hasSize(requests.get(i).n());
            }
            assertThat(engine.stats().numPreemptions()).as("the small pool forced preemptions").isPositive();
            awaitAllBlocksFree(engine);
        }
    }

    @Test
    void abortingARequestEndsEveryChoiceAndFreesItsBlocks() throws Exception {
        try (Engine engine = engine(64, 512, StepHook.NONE)) {
            var request = new GenerationRequest("abort", prompt(9, 40), SamplingParams.greedy(), 400, true, 3, -1);
            AtomicInteger tokens = new AtomicInteger();
            var done = new java.util.concurrent.CompletableFuture<Void>();
            var cancellable = engine.generate(request).subscribe().with(e -> {
                if (e instanceof GenerationEvent.Token && tokens.incrementAndGet() == 10) {
                    done.complete(null);
                }
            });
            done.get();
            cancellable.cancel();
            awaitAllBlocksFree(engine);
            assertThat(engine.stats().numRunning()).isZero();
        }
    }

    /** log_softmax(row)[id], computed here in plain double from the runner's logits. */
    private static double logSoftmax(float[] logits, int row, int vocab, int id) {
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[row * vocab + i]);
        }
        return Math.log(Math.exp(logits[row * vocab + id]) / sum);
    }

    @Test
    void logprobsOfPromptAndOutputMatchALogSoftmaxOfTheModelsLogits() throws Exception {
        int[] prompt = prompt(11, 45);
        int top = 3;
        var params = new SamplingParams(0f, 0, 1f, 0f, 0, 1f, 0f, 0f, LogitBias.NONE, top);
        var request = new GenerationRequest("lp", prompt, params, 6, true, 1, top);
        List<GenerationEvent> events;
        try (Engine engine = engine(64, 16, StepHook.NONE)) { // a 16-token budget: the prompt is scored over chunks
            events = run(engine, request);
        }
        assertThat(events.getFirst()).isInstanceOf(GenerationEvent.PromptLogprobs.class);
        List<TokenLogprobs> promptLogprobs = ((GenerationEvent.PromptLogprobs) events.getFirst()).logprobs();
        List<TokenLogprobs> outputLogprobs = events.stream()
                .filter(e -> e instanceof GenerationEvent.Token)
                .map(e -> ((GenerationEvent.Token) e).logprobs())
                .toList();
        int[] output = tokens(events, 0);
        int[] all = new int[prompt.length + output.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(output, 0, all, prompt.length, output.length);

        // The reference: one forward pass over the whole text with every position's logits.
        ModelRunner runner = SMALL.backend().runner(SMALL.model());
        int vocab = SMALL.model().config().vocabSize();
        float[] logits;
        try (SequenceKv kv = runner.sequenceKv(all.length)) {
            logits = runner.forward(ForwardBatch.ofSequence(all, 0, kv.table(), true), kv.cache());
        }
        assertThat(promptLogprobs).hasSize(prompt.length - 1);
        assertThat(outputLogprobs).hasSize(output.length);
        for (int p = 1; p < all.length; p++) {
            TokenLogprobs lp = p < prompt.length ? promptLogprobs.get(p - 1) : outputLogprobs.get(p - prompt.length);
            int row = p - 1;
            assertThat(lp.tokenId()).isEqualTo(all[p]);
            assertThat((double) lp.logprob()).as("position %d", p).isCloseTo(logSoftmax(logits, row, vocab, all[p]), within(1e-3));
            assertThat(lp.top()).hasSize(top);
            double previous = 0;
            for (TokenLogprobs.Candidate c : lp.top()) {
                assertThat((double) c.logprob()).isCloseTo(logSoftmax(logits, row, vocab, c.tokenId()), within(1e-3));
                assertThat((double) c.logprob()).isLessThanOrEqualTo(previous);
                previous = c.logprob();
            }
            if (p >= prompt.length) {
                // greedy: the sampled token is the most likely one
                assertThat(lp.top().getFirst().tokenId()).isEqualTo(all[p]);
            }
        }
    }

    @Test
    void logitBiasSteersGreedyDecoding() throws Exception {
        int forced = 77;
        var params = new SamplingParams(0f, 0, 1f, 0f, 0, 1f, 0f, 0f, LogitBias.of(Map.of(forced, 100f)), -1);
        try (Engine engine = engine(64, 512, StepHook.NONE)) {
            int[] biased = tokens(run(engine, new GenerationRequest("bias", prompt(3, 20), params, 8, true)), 0);
            assertThat(biased).hasSize(8).containsOnly(forced);
            int[] plain = tokens(run(engine, new GenerationRequest("plain", prompt(3, 20), SamplingParams.greedy(), 8, true)), 0);
            assertThat(plain).as("without the bias the model does not say 77 eight times").isNotEqualTo(biased);
        }
    }
}
