package dev.morphserve.backend;

import dev.morphserve.model.LayerWeights;

/**
 * A layer variant on its way from the host tier to where the backend computes (a morph swap's
 * copy). The copy runs while decode steps go on; the engine thread polls {@link #isDone} at step
 * boundaries and switches the layer in the first boundary after it. Closing frees the resident
 * copy (or cancels it while in flight).
 */
public interface LayerUpload extends AutoCloseable {

    /** Whether the copy has finished (successfully or not); never blocks. */
    boolean isDone();

    /** The resident weights for a runner's table; only once {@link #isDone}. Throws the copy's failure. */
    LayerWeights weights();

    /** Bytes the resident copy takes where the backend computes. */
    long bytes();

    /** How long the copy itself took (device events on a GPU); 0 until done. */
    long copyNanos();

    @Override
    void close();
}
