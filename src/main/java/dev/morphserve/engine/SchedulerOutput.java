package dev.morphserve.engine;

import java.util.List;

/**
 * One step's plan: which requests compute how many of their tokens, and who was preempted to make
 * room. The chunk of a request is always its next {@code numTokens} uncomputed tokens.
 */
record SchedulerOutput(List<ScheduledChunk> chunks, List<Request> preempted) {

    record ScheduledChunk(Request request, int numTokens) {}

    boolean isEmpty() {
        return chunks.isEmpty();
    }

    int totalTokens() {
        return chunks.stream().mapToInt(ScheduledChunk::numTokens).sum();
    }
}
