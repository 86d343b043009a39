package dev.morphserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain java.net.http client reading a streamed response raw, line by line, as an SSE client would. */
final class SseTestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** The raw lines of the body, the status and the Content-Type. */
    record Stream(int status, String contentType, List<String> lines) {

        /** The payloads of the {@code data: } lines, exactly as sent (without the "data: " prefix). */
        List<String> data() {
            List<String> data = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring("data: ".length()));
                }
            }
            return data;
        }

        /** The JSON events before [DONE]. */
        List<JsonNode> events() {
            List<JsonNode> events = new ArrayList<>();
            for (String d : data()) {
                if (!d.equals("[DONE]")) {
                    try {
                        events.add(JSON.readTree(d));
                    } catch (IOException e) {
                        throw new AssertionError("not JSON: " + d, e);
                    }
                }
            }
            return events;
        }
    }

    static Stream post(URI uri, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<java.util.stream.Stream<String>> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofLines());
        List<String> lines = response.body().toList();
        return new Stream(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), lines);
    }

    private SseTestClient() {}
}
