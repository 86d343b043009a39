package dev.morphserve.bench;

/** One line of an OpenAI-style completion stream, as far as latency measurement cares. */
public sealed interface SseEvent {

    /**
     * A {@code data: {...}} chunk.
     *
     * @param content          true when it carries a generated token (times TTFT and ITL)
     * @param completionTokens {@code usage.completion_tokens}, or -1 when the chunk has no usage
     * @param error            the server's error message when it reports one mid-stream, else null
     */
    record Chunk(boolean content, int completionTokens, String error) implements SseEvent {}

    /** {@code data: [DONE]}: the server finished the stream. */
    record Done() implements SseEvent {}

    /** Blank separators, comments ({@code : ping}), {@code event:}/{@code id:} fields. */
    record Ignored() implements SseEvent {}
}
