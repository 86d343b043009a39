package dev.morphserve.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the lines of a {@code /v1/completions} (or chat) stream. Each SSE event of these servers
 * is a single {@code data:} line, so a line-at-a-time parser is enough and lets the caller stamp
 * the arrival time of every token as the line comes off the socket.
 *
 * <p>Which chunks count as a token: any chunk with a {@code choices} entry, as vLLM's benchmark
 * counts them, even one whose text is empty (a token that ends mid-UTF-8 sequence decodes to "").
 * The one exception is a pure termination chunk (empty text and a {@code finish_reason}) that some
 * servers send after the last token: counting it would invent a token and a near-zero ITL.
 */
public final class SseParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SseEvent IGNORED = new SseEvent.Ignored();
    private static final SseEvent DONE = new SseEvent.Done();

    private SseParser() {}

    public static SseEvent parse(String line) {
        if (!line.startsWith("data:")) {
            return IGNORED; // blank line, ": comment", "event:", "id:", "retry:"
        }
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
            return DONE;
        }
        if (data.isEmpty()) {
            return IGNORED;
        }
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            return new SseEvent.Chunk(false, -1, "malformed SSE data: " + abbreviate(data));
        }
        return chunk(node);
    }

    private static SseEvent chunk(JsonNode node) {
        JsonNode error = node.get("error");
        if (error != null && !error.isNull()) {
            String message = error.isObject() && error.hasNonNull("message") ? error.get("message").asText() : error.toString();
            return new SseEvent.Chunk(false, -1, "server error in stream: " + message);
        }
        JsonNode usage = node.get("usage");
        int completionTokens = usage != null && usage.hasNonNull("completion_tokens") ? usage.get("completion_tokens").asInt() : -1;
        JsonNode choices = node.get("choices");
        boolean content = false;
        if (choices != null && choices.isArray() && !choices.isEmpty()) {
            JsonNode choice = choices.get(0);
            String text = text(choice);
            boolean finished = choice.hasNonNull("finish_reason");
            content = text != null && !(finished && text.isEmpty());
        }
        return new SseEvent.Chunk(content, completionTokens, null);
    }

    /**
     * Completions put the token in {@code text}; chat completions in {@code delta.content}. Null when
     * neither is there (a chat chunk that only announces the role carries no token).
     */
    private static String text(JsonNode choice) {
        if (choice.hasNonNull("text")) {
            return choice.get("text").asText();
        }
        JsonNode delta = choice.get("delta");
        if (delta != null && delta.hasNonNull("content")) {
            return delta.get("content").asText();
        }
        return null;
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
