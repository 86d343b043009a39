package dev.morphserve.bench.soak;

/**
 * One request of the soak's mix, ready to send.
 *
 * @param kind                 label the report groups outcomes by, e.g. {@code completion_stream}
 * @param path                 {@code v1/completions} or {@code v1/chat/completions}
 * @param body                 the JSON body as sent (deliberately malformed for some bad requests)
 * @param stream               whether the answer is an SSE stream
 * @param disconnectAfterChunks hang up after this many token chunks; 0 reads the stream to its end
 * @param timed                whether its TTFT and TPOT count in the latency windows (streamed, one choice, read to the end)
 */
public record SoakRequest(String kind, String path, String body, boolean stream, int disconnectAfterChunks, boolean timed) {}
