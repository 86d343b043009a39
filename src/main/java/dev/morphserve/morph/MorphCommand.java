package dev.morphserve.morph;

/**
 * What the controller (or an operator) asks the engine to do between two steps. Each command
 * carries the time it was decided, so that the engine can report decision-to-applied latency.
 */
public sealed interface MorphCommand {
    long decidedNanos();

    /** Switch the layer to its low variant, free its base weights, give the bytes to the KV cache. */
    record SwapDown(int layer, long decidedNanos, String reason) implements MorphCommand {}

    /** Take a KV chunk back (moving its live blocks), reload the layer's base weights, switch back. */
    record SwapUp(int layer, long decidedNanos, String reason) implements MorphCommand {}
}
