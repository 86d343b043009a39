package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.backend.CpuBackend;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.testing.SmallCpuModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine end to end on a synthetic model: batching invariance (a request's greedy tokens do not
 * depend on what runs beside it, even across preemptions) and aborts that free blocks.
 */
class EngineBatchingTest {
    @RegisterExtension
    static final SmallCpuModel SMALL = new SmallCpuModel(21);

    private static Engine engine(int blocks, int maxTokensPerStep) {
        return engine(SMALL.backend(), blocks, maxTokensPerStep);
    }

    private static Engine engine(CpuBackend backend, int blocks, int maxTokensPerStep) {
        BlockPool pool = new BlockPool(backend.kvLayout(SMALL.model().config(), 16), blocks);
        return new Engine(backend.runner(SMALL.model()), SMALL.model().tokenizer().vocabulary(), pool,
                new EngineSettings(16, maxTokensPerStep, 64, 256, 1 << 20));
    }

    private static List<GenerationRequest> requests(int count) {
        SplittableRandom random = new SplittableRandom(3);
        List<GenerationRequest> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] prompt = random.ints(5 + random.nextInt(60), 3, SMALL.model().config().vocabSize()).toArray();
            list.add(new GenerationRequest("r" + i, prompt, SamplingParams.greedy(), 10 + random.nextInt(20), true));
        }
        return list;
    }

    private static int[] tokens(List<GenerationEvent> events) {
        return events.stream()
                .filter(e -> e instanceof GenerationEvent.Token)
                .mapToInt(e -> ((GenerationEvent.Token) e).tokenId())
                .toArray();
    }

    private static List<GenerationEvent> run(Engine engine, GenerationRequest r) {
        return engine.generate(r).collect().asList().await().atMost(Duration.ofSeconds(60));
    }

    @Test
    void warmupRunsOnItsOwnCacheAndChangesNoLaterResult() throws Exception {
        var runner = SMALL.backend().runner(SMALL.model());
        GenerationRequest r = requests(1).getFirst();
        int[] before;
        try (Engine engine = new Engine(runner, SMALL.model().tokenizer().vocabulary(), new BlockPool(SMALL.backend().kvLayout(SMALL.model().config(), 16), 64),
                new EngineSettings(16, 512, 64, 256, 1 << 20))) {
            before = tokens(run(engine, r));
        }
        assertThat(Warmup.run(runner)).as("small's context is 512: a 256-token prefill and 32 decode steps").isEqualTo(288);
        BlockPool pool = new BlockPool(SMALL.backend().kvLayout(SMALL.model().config(), 16), 64);
        try (Engine engine = new Engine(runner, SMALL.model().tokenizer().vocabulary(), pool, new EngineSettings(16, 512, 64, 256, 1 << 20))) {
            assertThat(tokens(run(engine, r))).containsExactly(before);
        }
        assertThat(pool.numFreeBlocks()).isEqualTo(64);
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void greedyTokensDoNotDependOnTheBatch(KvType kvType) throws Exception {
        try (CpuBackend backend = CpuBackend.create(2, KernelKind.VECTOR, kvType)) {
            greedyTokensDoNotDependOnTheBatch(backend);
        }
    }

    private static void greedyTokensDoNotDependOnTheBatch(CpuBackend backend) throws Exception {
        List<GenerationRequest> requests = requests(12);
        List<int[]> alone = new ArrayList<>();
        try (Engine engine = engine(backend, 256, 512)) {
            for (GenerationRequest r : requests) {
                alone.add(tokens(run(engine, r)));
            }
        }
        // 12 at once with a small pool and budget: chunked prefills, mixed batches and preemptions.
        try (Engine engine = engine(backend, 24, 48)) {
            var streams = requests.stream().map(r -> engine.generate(r).collect().asList().subscribeAsCompletionStage()).toList();
            for (int i = 0; i < requests.size(); i++) {
                List<GenerationEvent> events = streams.get(i).get();
                assertThat(tokens(events)).as("request %d", i).containsExactly(alone.get(i));
                var finished = (GenerationEvent.Finished) events.getLast();
                assertThat(finished.reason()).isEqualTo(FinishReason.LENGTH);
                assertThat(finished.completionTokens()).isEqualTo(requests.get(i).maxTokens());
            }
            assertThat(engine.stats().numPreemptions()).as("the small pool forced preemptions").isPositive();
            awaitAllBlocksFree(engine);
        }
    }

    @Test
    void cancellingAStreamAbortsTheRequestAndFreesItsBlocks() throws Exception {
        try (Engine engine = engine(64, 512)) {
            int[] prompt = new SplittableRandom(9).ints(40, 3, SMALL.model().config().vocabSize()).toArray();
            AtomicInteger seen = new AtomicInteger();
            var request = new GenerationRequest("long", prompt, SamplingParams.greedy(), 400, true);
            var finished = new java.util.concurrent.CompletableFuture<Void>();
            var subscription = new java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Flow.Subscription>();
            engine.generate(request).subscribe().withSubscriber(new java.util.concurrent.Flow.Subscriber<GenerationEvent>() {
                public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                    subscription.set(s);
                    s.request(Long.MAX_VALUE);
                }

                public void onNext(GenerationEvent e) {
                    if (seen.incrementAndGet() == 3) {
                        subscription.get().cancel();
                        finished.complete(null);
                    }
                }

                public void onError(Throwable t) {
                    finished.completeExceptionally(t);
                }

                public void onComplete() {}
            });
            finished.get();
            awaitAllBlocksFree(engine);
            assertThat(engine.stats().numRunning()).isZero();
        }
    }

    @Test
    void aPromptLongerThanTheStepBudgetIsPrefilledInChunks() throws Exception {
        int[] prompt = new SplittableRandom(8).ints(100, 3, SMALL.model().config().vocabSize()).toArray();
        var request = new GenerationRequest("long-prompt", prompt, SamplingParams.greedy(), 5, true);
        int[] whole;
        try (Engine engine = engine(64, 512)) {
            whole = tokens(run(engine, request));
        }
        // 100 prompt tokens through a 32-token budget: three steps have no token to sample.
        try (Engine engine = engine(64, 32)) {
            assertThat(tokens(run(engine, request))).containsExactly(whole);
        }
        assertThat(whole).hasSize(5);
    }

    @Test
    void aFullWaitingQueueRefusesWithRetryAfter() throws Exception {
        BlockPool pool = new BlockPool(SMALL.backend().kvLayout(SMALL.model().config(), 16), 8); // room for one request at a time
        try (Engine engine = new Engine(SMALL.backend().runner(SMALL.model()), SMALL.model().tokenizer().vocabulary(), pool,
                new EngineSettings(16, 512, 1, 2, 1 << 20))) {
            int[] prompt = new SplittableRandom(4).ints(60, 3, SMALL.model().config().vocabSize()).toArray();
            var outcomes = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Object>>();
            for (int i = 0; i < 6; i++) {
                var request = new GenerationRequest("q" + i, prompt, SamplingParams.greedy(), 40, true);
                outcomes.add(engine.generate(request).collect().asList().<Object>map(events -> events)
                        .onFailure().recoverWithItem(failure -> failure).subscribeAsCompletionStage().toCompletableFuture());
            }
            long refused = 0;
            long served = 0;
            for (var outcome : outcomes) {
                Object result = outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (result instanceof EngineOverloadedException e) {
                    assertThat(e.retryAfterSeconds()).isPositive();
                    assertThat(e.getMessage()).contains("max-waiting-requests");
                    refused++;
                } else {
                    served++;
                }
            }
            assertThat(refused).as("beyond two waiting requests the engine refuses").isPositive();
            assertThat(served).isGreaterThanOrEqualTo(2);
            awaitAllBlocksFree(engine);
        }
    }

    private static void awaitAllBlocksFree(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && engine.stats().freeBlocks() != engine.stats().totalBlocks()) {
            Thread.sleep(10);
        }
        assertThat(engine.stats().freeBlocks()).isEqualTo(engine.stats().totalBlocks());
    }
}
