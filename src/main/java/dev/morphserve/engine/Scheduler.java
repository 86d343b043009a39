package dev.morphserve.engine;

import dev.morphserve.kvcache.BlockPool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * vLLM v1's scheduling rule: running requests get their tokens first (decodes, then the rest of a
 * chunked prefill), then waiting requests are admitted in arrival order, all within a token budget
 * per step. When blocks run out, the last-admitted running request is preempted by recompute (its
 * blocks are freed and it goes back to the head of the queue); a step that preempted admits nobody.
 *
 * <p>A waiting request is admitted only when the free blocks hold its whole remaining prompt, not
 * just the chunk this step has budget for.
 * Admitting on the first chunk alone let a long prompt take part of a small pool, fail to grow,
 * preempt itself and start over every few steps, throwing its chunks away while the queue behind it
 * waited (seen under bursty load with a pool of one context).
 */
final class Scheduler {
    private final BlockPool pool;
    private final int maxTokensPerStep;
    private final int maxRunningRequests;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();
    private final java.util.function.Consumer<Request> onFirstScheduled;
    private long numPreemptions;

    Scheduler(BlockPool pool, int maxTokensPerStep, int maxRunningRequests, java.util.function.Consumer<Request> onFirstScheduled) {
        this.pool = pool;
        this.onFirstScheduled = onFirstScheduled;
        this.maxTokensPerStep = maxTokensPerStep;
        this.maxRunningRequests = maxRunningRequests;
    }

    void add(Request request) {
        waiting.addLast(request);
    }

    /**
     * Adds a sequence forked from a running one (it already holds its shared blocks). It goes last,
     * as the most recently admitted: a shortage of blocks preempts the forks before their parent.
     */
    void addForked(Request sequence) {
        running.add(sequence);
    }

    SchedulerOutput schedule() {
        int budget = maxTokensPerStep;
        List<SchedulerOutput.ScheduledChunk> chunks = new ArrayList<>();
        List<Request> preempted = new ArrayList<>();
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Request request = running.get(i);
            int n = Math.min(request.numUncomputedTokens(), budget);
            while (!canAllocate(request, n)) {
                Request victim = running.removeLast();
                preempt(victim);
                preempted.add(victim);
                if (victim == request) {
                    break;
                }
            }
            if (request.status != Request.Status.RUNNING) {
                break; // it preempted itself: nothing after it is running any more
            }
            allocate(request, n);
            chunks.add(new SchedulerOutput.ScheduledChunk(request, n));
            budget -= n;
        }
        while (preempted.isEmpty() && budget > 0 && !waiting.isEmpty() && running.size() < maxRunningRequests) {
            Request request = waiting.peekFirst();
            int n = Math.min(request.numUncomputedTokens(), budget);
            // all of the rest of its prompt must fit, so that its later chunks never preempt it
            if (!canAllocate(request, request.numUncomputedTokens())) {
                break;
            }
            waiting.removeFirst();
            request.status = Request.Status.RUNNING;
            if (request.firstScheduledNanos < 0) {
                request.firstScheduledNanos = System.nanoTime();
                onFirstScheduled.accept(request);
            }
            running.add(request);
            allocate(request, n);
            chunks.add(new SchedulerOutput.ScheduledChunk(request, n));
            budget -= n;
        }
        return new SchedulerOutput(List.copyOf(chunks), List.copyOf(preempted));
    }

    private int blocksNeeded(Request request, int numNewTokens) {
        int tokens = request.numComputedTokens + numNewTokens;
        return pool.layout().blocksFor(tokens) - request.blockTable.size();
    }

    private boolean canAllocate(Request request, int numNewTokens) {
        return blocksNeeded(request, numNewTokens) <= pool.numFreeBlocks();
    }

    private void allocate(Request request, int numNewTokens) {
        for (int i = blocksNeeded(request, numNewTokens); i > 0; i--) {
            request.blockTable.add(pool.allocate());
        }
    }

    private void preempt(Request request) {
        pool.freeAll(request.blockTable);
        request.numComputedTokens = 0;
        request.status = Request.Status.WAITING;
        waiting.addFirst(request);
        numPreemptions++;
    }

    /** Removes a finished or aborted sequence and drops its references to its blocks. */
    void remove(Request request) {
        running.remove(request);
        waiting.remove(request);
        pool.freeAll(request.blockTable);
    }

    List<Request> running() {
        return running;
    }

    Deque<Request> waiting() {
        return waiting;
    }

    long numPreemptions() {
        return numPreemptions;
    }
}
