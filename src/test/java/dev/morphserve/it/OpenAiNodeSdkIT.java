package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node SDK, streaming, against the packaged server: the text it assembles from
 * the stream equals the server's non-streaming answer to the same greedy request.
 */
class OpenAiNodeSdkIT {
    private static final Path CLIENT_DIR = Path.of("src/test/node");
    private static final String PROMPT = "Once upon a time";

    @Test
    void streamingThroughTheOfficialClientAssemblesTheSameText() throws Exception {
        assumeTrue(Files.isDirectory(CLIENT_DIR.resolve("node_modules/openai")),
                "skipped: the OpenAI Node SDK is not installed; run: npm ci --prefix src/test/node (.ci/run does)");
        try (ServerProcess server = new ServerProcess("--model", SharedData.storiesGguf().toString(), "--context", "512")) {
            Process node = new ProcessBuilder("node", CLIENT_DIR.resolve("openai-stream.mjs").toString(), server.baseUrl() + "/v1",
                            PROMPT, "stories260K.gguf")
                    .redirectErrorStream(true)
                    .start();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
            String output = new String(node.getInputStream().readAllBytes()).strip();
            assertThat(node.exitValue()).as(output).isZero();
            JsonNode streamed = new ObjectMapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow());

            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":24,\"temperature\":0}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode plain = new ObjectMapper().readTree(response.body());
            assertThat(streamed.get("completionText").asText())
                    .isNotBlank()
                    .isEqualTo(plain.at("/choices/0/text").asText());
            assertThat(streamed.at("/usage/completion_tokens").asInt()).isEqualTo(plain.at("/usage/completion_tokens").asInt());
            assertThat(streamed.get("chatText").asText()).isNotBlank();
            assertThat(streamed.get("finishReason").asText()).isIn("stop", "length");
        }
    }
}
