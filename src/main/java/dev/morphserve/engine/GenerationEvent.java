package dev.morphserve.engine;

/** What a request's stream carries: its tokens as they are sampled, then exactly one {@link Finished}. */
public sealed interface GenerationEvent {

    /** One sampled token and how many decoder layers ran quantized for it. */
    record Token(int tokenId, int swappedLayers) implements GenerationEvent {
        public boolean layersSwapped() {
            return swappedLayers > 0;
        }
    }

    /**
     * The last event of a stream.
     *
     * @param swappedTokens  generated tokens produced while at least one layer was swapped
     * @param queueNanos     time from arrival to first scheduling
     */
    record Finished(FinishReason reason, int promptTokens, int completionTokens, int swappedTokens, long queueNanos)
            implements GenerationEvent {}
}
