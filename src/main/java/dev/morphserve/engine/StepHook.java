package dev.morphserve.engine;

/**
 * Work the engine thread does between steps on behalf of another component (the morph layer
 * swapper), and what that component tells each step.
 */
public interface StepHook {
    StepHook NONE = new StepHook() {
        @Override
        public void beforeStep(StepBoundary boundary) {}

        @Override
        public boolean anyLayerSwapped() {
            return false;
        }
    };

    /** Runs on the engine thread before every step. */
    void beforeStep(StepBoundary boundary);

    /** Whether the coming step runs with at least one layer in low precision (per-token accounting). */
    boolean anyLayerSwapped();
}
