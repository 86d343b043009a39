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
        public int numSwappedLayers() {
            return 0;
        }
    };

    /** Runs on the engine thread before every step. */
    void beforeStep(StepBoundary boundary);

    /** Layers the coming step runs in low precision (per-token quality accounting). */
    int numSwappedLayers();
}
