package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.kvcache.BlockPool;
import dev.morphserve.kvcache.KvLayout;
import dev.morphserve.kvcache.KvType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduling rules on a real block pool with requests that never reach a model. */
class SchedulerTest {
    private static final int BLOCK = 4;
    private final List<Request> admitted = new ArrayList<>();
    private BlockPool pool;

    @AfterEach
    void closePool() {
        pool.close();
    }

    private Scheduler scheduler(int blocks, int budget, int maxRunning) {
        pool = new BlockPool(new KvLayout(1, BLOCK, 2, KvType.F16), blocks);
        return new Scheduler(pool, budget, maxRunning, admitted::add);
    }

    private static Request request(String id, int promptTokens) {
        AtomicReference<MultiEmitter<? super GenerationEvent>> emitter = new AtomicReference<>();
        Multi.createFrom().<GenerationEvent>emitter(emitter::set).subscribe().with(e -> {});
        int[] prompt = new int[promptTokens];
        return new Request(new GenerationRequest(id, prompt, SamplingParams.greedy(), 100, true), System.nanoTime(), emitter.get());
    }

    /** What EngineCore does after the forward pass: the chunk is computed, a token is sampled. */
    private static void complete(SchedulerOutput output) {
        for (var chunk : output.chunks()) {
            chunk.request().numComputedTokens += chunk.numTokens();
            if (chunk.request().numUncomputedTokens() == 0) {
                chunk.request().appendOutput(7, 0);
            }
        }
    }

    private void assertBlockAccounting(Scheduler s) {
        Set<Integer> used = new HashSet<>();
        for (Request r : s.running()) {
            for (int id : r.blockTable.toArray()) {
                assertThat(used.add(id)).as("block %d in two tables", id).isTrue();
            }
            // Covers what is computed, and at most what the request has (this step's chunk included).
            assertThat(r.blockTable.size())
                    .isBetween(pool.layout().blocksFor(r.numComputedTokens), pool.layout().blocksFor(r.numTokens()));
        }
        for (Request r : s.waiting()) {
            assertThat(r.blockTable.size()).isZero();
        }
        Set<Integer> free = new HashSet<>(pool.freeBlockIds());
        assertThat(free).doesNotContainAnyElementsOf(used);
        assertThat(free.size() + used.size()).isEqualTo(pool.numTotalBlocks());
    }

    @Test
    void chunksLongPromptsWithinTheTokenBudgetAndServesRunningRequestsFirst() {
        Scheduler s = scheduler(64, 8, 8);
        Request a = request("a", 20);
        Request b = request("b", 3);
        s.add(a);
        s.add(b);
        SchedulerOutput first = s.schedule();
        assertThat(first.chunks()).extracting(c -> c.request().id + ":" + c.numTokens()).containsExactly("a:8");
        complete(first);
        SchedulerOutput second = s.schedule();
        assertThat(second.chunks()).extracting(c -> c.request().id + ":" + c.numTokens()).containsExactly("a:8");
        complete(second);
        // a has 4 prompt tokens left; b gets the remaining 4 of the budget.
        SchedulerOutput third = s.schedule();
        assertThat(third.chunks()).extracting(c -> c.request().id + ":" + c.numTokens()).containsExactly("a:4", "b:3");
        complete(third);
        assertThat(s.schedule().chunks()).extracting(c -> c.request().id + ":" + c.numTokens()).containsExactly("a:1", "b:1");
        assertBlockAccounting(s);
    }

    @Test
    void preemptsTheLastAdmittedWhenBlocksRunOutAndAdmitsNobodyThatStep() {
        Scheduler s = scheduler(4, 64, 8); // 16 token slots
        Request a = request("a", 8);
        Request b = request("b", 8);
        Request c = request("c", 2);
        s.add(a);
        s.add(b);
        complete(s.schedule()); // a and b use all 4 blocks, each has 9 tokens now
        s.add(c);
        SchedulerOutput next = s.schedule();
        // a needs a third block: b (last admitted) is preempted; c must not be admitted this step.
        assertThat(next.preempted()).containsExactly(b);
        assertThat(next.chunks()).extracting(ch -> ch.request().id).containsExactly("a");
        assertThat(s.waiting()).containsExactly(b, c);
        assertThat(b.numComputedTokens).isZero();
        assertThat(s.numPreemptions()).isEqualTo(1);
        assertBlockAccounting(s);
        complete(next);
        // b comes back first and recomputes its prompt plus the token it had generated.
        s.remove(a);
        SchedulerOutput after = s.schedule();
        assertThat(after.chunks()).extracting(ch -> ch.request().id + ":" + ch.numTokens()).containsExactly("b:9", "c:2");
        assertBlockAccounting(s);
    }

    @Test
    void respectsTheRunningLimitAndReportsFirstAdmissionOnce() {
        Scheduler s = scheduler(64, 64, 2);
        for (String id : List.of("a", "b", "c")) {
            s.add(request(id, 2));
        }
        complete(s.schedule());
        assertThat(s.running()).hasSize(2);
        assertThat(s.waiting()).hasSize(1);
        complete(s.schedule());
        assertThat(admitted).extracting(r -> r.id).containsExactly("a", "b");
        assertBlockAccounting(s);
    }

    @Test
    void admitsALongPromptOnlyWhenAllOfItFitsSoThatItNeverThrowsChunksAway() {
        Scheduler s = scheduler(6, 4, 8); // 24 token slots, 4 tokens per step
        Request a = request("a", 8);
        Request b = request("b", 16); // its first chunk fits at once; all of it only after a is done
        s.add(a);
        complete(s.schedule());
        complete(s.schedule()); // a: 8 prompt tokens computed, 1 generated, 3 blocks
        s.add(b);
        for (int step = 0; step < 4; step++) {
            SchedulerOutput out = s.schedule();
            // 3 blocks are free and the first 4 of b's tokens would fit in one, but b needs 4 blocks in all
            assertThat(out.chunks()).extracting(ch -> ch.request().id).containsExactly("a");
            complete(out);
            assertBlockAccounting(s);
        }
        s.remove(a);
        for (int step = 0; step < 4; step++) {
            SchedulerOutput out = s.schedule();
            assertThat(out.chunks()).extracting(ch -> ch.request().id + ":" + ch.numTokens()).containsExactly("b:4");
            complete(out);
            assertBlockAccounting(s);
        }
        assertThat(b.numOutputTokens()).isEqualTo(1);
        assertThat(s.numPreemptions()).isZero();
    }
}
