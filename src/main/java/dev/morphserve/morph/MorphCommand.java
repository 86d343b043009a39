package dev.morphserve.morph;

/**
 * What the controller or an operator asks the engine to do between two steps. Both go through the
 * same queue ({@link MorphCommands}); each command carries an id that its events repeat and the
 * time it was decided, so that the engine can report decision-to-applied latency.
 */
public sealed interface MorphCommand {
    long id();

    Origin origin();

    long decidedNanos();

    String reason();

    MorphAction action();

    /** Who decided. */
    enum Origin { CONTROLLER, MANUAL }

    /** Step the layer one precision level down; the memory it frees grows the KV cache. */
    record SwapDown(long id, int layer, Origin origin, long decidedNanos, String reason) implements MorphCommand {
        @Override
        public MorphAction action() {
            return MorphAction.SWAP_DOWN;
        }
    }

    /** Step the layer one level back up, shrinking the KV cache first if the budget needs it. */
    record SwapUp(long id, int layer, Origin origin, long decidedNanos, String reason) implements MorphCommand {
        @Override
        public MorphAction action() {
            return MorphAction.SWAP_UP;
        }
    }

    /** Give back every grown KV chunk that holds no live block (an idle cache), swapping nothing. */
    record ShrinkKv(long id, Origin origin, long decidedNanos, String reason) implements MorphCommand {
        @Override
        public MorphAction action() {
            return MorphAction.KV_SHRINK;
        }
    }
}
