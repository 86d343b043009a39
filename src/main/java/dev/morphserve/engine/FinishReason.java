package dev.morphserve.engine;

/** Why a request stopped producing tokens (OpenAI's finish_reason spellings). */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP,
    /** max_tokens reached or the context is full. */
    LENGTH,
    /** The client went away or the request was cancelled. */
    ABORT;

    public String openAiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
