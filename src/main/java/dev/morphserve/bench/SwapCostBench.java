package dev.morphserve.bench;

import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineSettings;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.SamplingParams;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.StepHook;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.morph.LayerSwapper;
import dev.morphserve.morph.MorphCommand;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What a swap costs the requests that are decoding while it happens: the engine decodes a steady
 * batch while every layer is swapped down and then back up, one at a time; each step's wall time
 * is recorded, and so is each command's decision-to-applied latency.
 *
 * <pre>
 * step times:  | normal | normal | [apply swap-down] step | normal | ... | [detach] step | ... | [switch] step |
 * stall     =  longest step that included morph work, compared with the median normal step
 * </pre>
 */
public final class SwapCostBench {

    /** One engine step: its wall time and the morph work done at its boundary, if any. */
    public record Step(long nanos, String morphWork) {}

    public record Result(List<Step> steps, List<MorphEvent> events) {
        public double medianNormalStepMs() {
            List<Long> normal = new ArrayList<>(steps.stream().filter(s -> s.morphWork() == null).map(Step::nanos).toList());
            Collections.sort(normal);
            return normal.isEmpty() ? Double.NaN : normal.get(normal.size() / 2) / 1e6;
        }

        public double maxStepMs(String work) {
            return steps.stream().filter(s -> work.equals(s.morphWork())).mapToLong(Step::nanos).max().orElse(0) / 1e6;
        }

        public double maxLatencyMs(String action) {
            return events.stream().filter(e -> e.action().equals(action) && e.applied()).mapToLong(MorphEvent::latencyNanos).max().orElse(0) / 1e6;
        }

        public double meanLatencyMs(String action) {
            return events.stream().filter(e -> e.action().equals(action) && e.applied()).mapToLong(MorphEvent::latencyNanos).average().orElse(0) / 1e6;
        }
    }

    /**
     * @param events where the swapper reports (this bench adds its own listener through {@code eventSink})
     */
    public static Result run(ModelRunner runner, Vocabulary vocabulary, BlockPool pool, LayerSwapper swapper,
            List<MorphEvent> events, int numLayers, int streams, Consumer<String> log) throws Exception {
        List<Step> steps = new CopyOnWriteArrayList<>();
        String[] pendingWork = {null};
        long[] last = {System.nanoTime()};
        StepHook timing = new StepHook() {
            @Override
            public void beforeStep(StepBoundary boundary) {
                int before = events.size();
                swapper.beforeStep(boundary);
                long now = System.nanoTime();
                steps.add(new Step(now - last[0], pendingWork[0]));
                pendingWork[0] = events.size() > before ? "swap_up_switch" : null;
                last[0] = now;
            }

            @Override
            public int numSwappedLayers() {
                return swapper.numSwappedLayers();
            }
        };
        SplittableRandom random = new SplittableRandom(5);
        try (Engine engine = new Engine(runner, vocabulary, pool, new EngineSettings(16, 512, 64, 256, 1 << 20), timing)) {
            List<io.smallrye.mutiny.subscription.Cancellable> running = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                int[] prompt = random.ints(32, 3, runner.config().vocabSize()).toArray();
                int maxTokens = Math.min(runner.config().contextLength() - 40, 100_000);
                running.add(engine.generate(new GenerationRequest("s" + i, prompt, SamplingParams.greedy(), maxTokens, true))
                        .subscribe().with(event -> {}, failure -> log.accept("stream failed: " + failure.getMessage())));
            }
            waitSteps(steps, 5);
            steps.clear();
            for (int l = 0; l < numLayers; l++) {
                apply(engine, swapper, new MorphCommand.SwapDown(l, System.nanoTime(), "bench"), pendingWork, "swap_down");
                waitSteps(steps, 3);
                log.accept("swapped down layer " + l);
            }
            for (int l = numLayers - 1; l >= 0; l--) {
                int before = (int) events.stream().filter(e -> e.action().equals("swap_up")).count();
                apply(engine, swapper, new MorphCommand.SwapUp(l, System.nanoTime(), "bench"), pendingWork, "kv_shrink");
                while (events.stream().filter(e -> e.action().equals("swap_up")).count() == before) {
                    Thread.sleep(5);
                }
                waitSteps(steps, 3);
                log.accept("swapped up layer " + l);
            }
            running.forEach(io.smallrye.mutiny.subscription.Cancellable::cancel);
        }
        return new Result(List.copyOf(steps), List.copyOf(events));
    }

    private static void apply(Engine engine, LayerSwapper swapper, MorphCommand command, String[] pendingWork, String work)
            throws Exception {
        var done = new java.util.concurrent.CompletableFuture<MorphEvent>();
        engine.atNextStepBoundary(boundary -> {
            done.complete(swapper.apply(command, boundary));
            pendingWork[0] = work; // the step that follows this boundary carries the morph work
        });
        MorphEvent event = done.get();
        if (!event.applied()) {
            throw new IllegalStateException("the engine refused " + command + ": " + event.detail());
        }
    }

    private static void waitSteps(List<Step> steps, int count) throws InterruptedException {
        int target = steps.size() + count;
        while (steps.size() < target) {
            Thread.sleep(2);
        }
    }
}
