package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streams read raw, as an SSE client sees them: framing, leading spaces, [DONE], disconnects. */
@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class StreamingApiTest {
    @Inject
    FakeEngineClient fake;

    @TestHTTPResource("/v1/completions")
    URI completions;

    @TestHTTPResource("/v1/chat/completions")
    URI chat;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    @Test
    void completionStreamKeepsLeadingSpacesAndEndsWithUsageAndDone() throws Exception {
        var stream = SseTestClient.post(completions, "{\"prompt\":\"hello\",\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        // Every non-empty line is a data line; events are separated by blank lines.
        assertThat(stream.lines().stream().filter(l -> !l.isEmpty())).allMatch(l -> l.startsWith("data: "));
        assertThat(stream.lines().getLast()).isEmpty();
        assertThat(stream.lines().get(stream.lines().size() - 2)).isEqualTo("data: [DONE]");
        // The first token is " ba": its leading space must survive the transport.
        assertThat(stream.data().getFirst()).contains("\"text\":\" ba\"");

        List<JsonNode> events = stream.events();
        assertThat(events).allMatch(e -> e.get("object").asText().equals("text_completion"));
        assertThat(events.stream().map(e -> e.get("id").asText()).distinct()).hasSize(1);
        JsonNode usageChunk = events.getLast();
        assertThat(usageChunk.get("choices")).isEmpty();
        assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(usageChunk.at("/usage/swapped_tokens").asInt()).isEqualTo(2);
        JsonNode finishChunk = events.get(events.size() - 2);
        assertThat(finishChunk.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(text(events, "/choices/0/text")).isEqualTo(" ba ca da ea fa");
        assertThat(events.subList(0, events.size() - 2)).allMatch(e -> e.at("/choices/0/finish_reason").isNull()
                && e.at("/choices/0").has("logprobs"));
    }

    @Test
    void chatStreamStartsWithTheRoleAndHasNoUsageChunkUnlessAsked() throws Exception {
        var stream = SseTestClient.post(chat, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3,\"stream\":true}");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.data().getLast()).isEqualTo("[DONE]");
        List<JsonNode> events = stream.events();
        assertThat(events).allMatch(e -> e.get("object").asText().equals("chat.completion.chunk") && !e.has("usage"));
        assertThat(events.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(events.getFirst().at("/choices/0/delta/content").asText()).isEmpty();
        assertThat(events.get(1).at("/choices/0/delta/content").asText()).isEqualTo(" ba");
        assertThat(events.get(1).at("/choices/0/delta").has("role")).isFalse();
        assertThat(text(events, "/choices/0/delta/content")).isEqualTo(" ba ca da");
        JsonNode last = events.getLast();
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(last.at("/choices/0/delta").size()).isZero();
    }

    @Test
    void chatStreamUsageChunk() throws Exception {
        var stream = SseTestClient.post(chat, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        JsonNode usage = stream.events().getLast();
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(8);
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(8 + usage.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void streamedStopStringIsHeldBackAndNeverSent() throws Exception {
        var stream = SseTestClient.post(completions, "{\"prompt\":\"hello\",\"max_tokens\":50,\"stream\":true,\"stop\":\"a d\"}");
        List<JsonNode> events = stream.events();
        // " ba" " ca" " da": the stop string spans two tokens; its start "a" was held back.
        assertThat(text(events, "/choices/0/text")).isEqualTo(" ba c");
        assertThat(events.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(stream.data().getLast()).isEqualTo("[DONE]");
        Polling.until(() -> fake.wasCancelled(fake.lastRequest().requestId()), "the engine saw the abort");
    }

    @Test
    void clientDisconnectAbortsTheEngineRequest() throws Exception {
        fake.tokenDelay(50); // 10 000 tokens would take minutes: only an abort ends it early
        String body = "{\"prompt\":\"hello\",\"max_tokens\":10000,\"ignore_eos\":true,\"stream\":true}";
        try (Socket socket = new Socket(completions.getHost(), completions.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("data: {")) {
                // status line, headers, chunk sizes
            }
            assertThat(line).contains("\"text\":\" ba\"");
        }
        Polling.until(() -> !fake.requests().isEmpty() && fake.wasCancelled(fake.lastRequest().requestId()),
                "the engine saw the disconnect as a cancellation");
    }

    private static String text(List<JsonNode> events, String pointer) {
        return events.stream().map(e -> e.at(pointer)).filter(JsonNode::isTextual).map(JsonNode::asText).collect(Collectors.joining());
    }
}
