package dev.morphserve.engine;

import java.util.List;

/**
 * What a request's stream carries: {@link PromptLogprobs} first if asked for, then the tokens of
 * its {@code n} sequences as they are sampled (interleaved; {@code index} tells them apart), and
 * one {@link Finished} per sequence. The stream completes after the last sequence's Finished.
 */
public sealed interface GenerationEvent {

    /**
     * One sampled token of sequence {@code index} and how many decoder layers ran quantized for it.
     *
     * @param logprobs null unless the request asked for logprobs
     */
    record Token(int index, int tokenId, int swappedLayers, TokenLogprobs logprobs) implements GenerationEvent {
        /** A token of the only sequence, without logprobs. */
        public Token(int tokenId, int swappedLayers) {
            this(0, tokenId, swappedLayers, null);
        }

        public boolean layersSwapped() {
            return swappedLayers > 0;
        }
    }

    /**
     * The logprobs of prompt tokens 1 .. p-1 (token 0 has no context, hence none), sent once before
     * the first token when the request asked for them.
     */
    record PromptLogprobs(List<TokenLogprobs> logprobs) implements GenerationEvent {
        public PromptLogprobs {
            logprobs = List.copyOf(logprobs);
        }
    }

    /**
     * The last event of sequence {@code index}.
     *
     * @param completionTokens tokens this sequence generated
     * @param swappedTokens    of those, tokens produced while at least one layer was swapped
     * @param queueNanos       time from the request's arrival to its first scheduling
     */
    record Finished(int index, FinishReason reason, int promptTokens, int completionTokens, int swappedTokens, long queueNanos)
            implements GenerationEvent {
        /** The end of the only sequence. */
        public Finished(FinishReason reason, int promptTokens, int completionTokens, int swappedTokens, long queueNanos) {
            this(0, reason, promptTokens, completionTokens, swappedTokens, queueNanos);
        }
    }
}
