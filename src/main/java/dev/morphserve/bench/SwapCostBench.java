package dev.morphserve.bench;

import dev.morphserve.engine.Engine;
import dev.morphserve.engine.EngineSettings;
import dev.morphserve.engine.GenerationRequest;
import dev.morphserve.engine.SamplingParams;
import dev.morphserve.engine.StepBoundary;
import dev.morphserve.engine.StepHook;
import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.model.ModelRunner;
import dev.morphserve.morph.LayerSwapper;
import dev.morphserve.morph.MorphAction;
import dev.morphserve.morph.MorphCommand;
import dev.morphserve.morph.MorphEvent;
import dev.morphserve.morph.MorphOutcome;
import dev.morphserve.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What a swap costs the requests decoding while it happens: the engine decodes a steady batch
 * while every layer steps down and then back up, one at a time; each step's wall time is recorded
 * with the morph work of its boundary, and so is each command's decision-to-applied latency and
 * copy time.
 *
 * <pre>
 * steps:  | normal | [start: copy begins] | copying | copying | [switch] | normal | ...
 * stall = the longest step of a kind against the median normal step
 * </pre>
 */
public final class SwapCostBench {

    /** What a step's boundary did for morphing. */
    public enum Work { NONE, START, COPYING, SWITCH }

    /** One engine step: its wall time and what its boundary did. */
    public record Step(long nanos, Work work) {}

    public record Result(List<Step> steps, List<MorphEvent> events) {
        public double medianNormalStepMs() {
            List<Long> normal = new ArrayList<>(steps.stream().filter(s -> s.work() == Work.NONE).map(Step::nanos).toList());
            Collections.sort(normal);
            return normal.isEmpty() ? Double.NaN : normal.get(normal.size() / 2) / 1e6;
        }

        /** The median step of a kind: the max is often one JIT recompilation when a layer type first mixes in. */
        public double medianStepMs(Work work) {
            List<Long> of = new ArrayList<>(steps.stream().filter(s -> s.work() == work).map(Step::nanos).toList());
            Collections.sort(of);
            return of.isEmpty() ? Double.NaN : of.get(of.size() / 2) / 1e6;
        }

        public double maxStepMs(Work work) {
            return steps.stream().filter(s -> s.work() == work).mapToLong(Step::nanos).max().orElse(0) / 1e6;
        }

        private List<MorphEvent> applied(MorphAction action) {
            return events.stream().filter(e -> e.action() == action && e.applied()).toList();
        }

        public double maxLatencyMs(MorphAction action) {
            return applied(action).stream().mapToLong(MorphEvent::latencyNanos).max().orElse(0) / 1e6;
        }

        public double meanLatencyMs(MorphAction action) {
            return applied(action).stream().mapToLong(MorphEvent::latencyNanos).average().orElse(0) / 1e6;
        }

        public double meanCopyMs(MorphAction action) {
            return applied(action).stream().mapToLong(MorphEvent::copyNanos).average().orElse(0) / 1e6;
        }
    }

    /** @param events where the swapper reports */
    public static Result run(ModelRunner runner, Vocabulary vocabulary, BlockPool pool, LayerSwapper swapper,
            List<MorphEvent> events, int numLayers, int streams, Consumer<String> log) throws Exception {
        List<Step> steps = new CopyOnWriteArrayList<>();
        Work[] next = {Work.NONE};
        long[] last = {System.nanoTime()};
        StepHook timing = new StepHook() {
            @Override
            public void beforeStep(StepBoundary boundary) {
                int before = events.size();
                swapper.beforeStep(boundary);
                long now = System.nanoTime();
                steps.add(new Step(now - last[0], next[0]));
                boolean switched = events.subList(before, events.size()).stream().anyMatch(e -> e.outcome() == MorphOutcome.APPLIED
                        && (e.action() == MorphAction.SWAP_DOWN || e.action() == MorphAction.SWAP_UP));
                next[0] = switched ? Work.SWITCH : swapper.movingLayers().isEmpty() ? Work.NONE : Work.COPYING;
                last[0] = now;
            }

            @Override
            public int numSwappedLayers() {
                return swapper.numSwappedLayers();
            }
        };
        SplittableRandom random = new SplittableRandom(5);
        long[] ids = {1};
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
            var origin = MorphCommand.Origin.MANUAL;
            for (int l = 0; l < numLayers; l++) {
                swap(engine, swapper, events, new MorphCommand.SwapDown(ids[0]++, l, origin, System.nanoTime(), "bench"), next);
                waitSteps(steps, 3);
                log.accept("swapped down layer " + l);
            }
            for (int l = numLayers - 1; l >= 0; l--) {
                swap(engine, swapper, events, new MorphCommand.SwapUp(ids[0]++, l, origin, System.nanoTime(), "bench"), next);
                waitSteps(steps, 3);
                log.accept("swapped up layer " + l);
            }
            running.forEach(io.smallrye.mutiny.subscription.Cancellable::cancel);
        }
        return new Result(List.copyOf(steps), List.copyOf(events));
    }

    /** Starts the command at a boundary and waits until its applied (or refused) event. */
    private static void swap(Engine engine, LayerSwapper swapper, List<MorphEvent> events, MorphCommand command, Work[] next)
            throws Exception {
        var started = new CompletableFuture<MorphEvent>();
        engine.atNextStepBoundary(boundary -> {
            started.complete(swapper.apply(command, boundary));
            next[0] = Work.START; // the step after this boundary runs while the copy begins
        });
        if (started.get().outcome() == MorphOutcome.REFUSED) {
            throw new IllegalStateException("the engine refused " + command + ": " + started.get().detail());
        }
        while (events.stream().noneMatch(e -> e.commandId() == command.id() && e.action() == command.action() && e.outcome().isFinal())) {
            Thread.sleep(1);
        }
    }

    private static void waitSteps(List<Step> steps, int count) throws InterruptedException {
        int target = steps.size() + count;
        while (steps.size() < target) {
            Thread.sleep(2);
        }
    }
}
