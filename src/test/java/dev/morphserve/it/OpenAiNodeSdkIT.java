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
 * the stream equals the server's non-streaming answer to the same greedy request. It also parses
 * n = 2 choices with logprobs, streamed and not, from both endpoints: greedy choices are equal to
 * each other and to the single answer, and every token has its logprob and alternatives.
 */
class OpenAiNodeSdkIT {
    private static final Path CLIENT_DIR = Path.of("src/test/node");
    private static final String PROMPT = "Once upon a time";

    private static java.util.List<String> strings(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The server runs with a key, as a deployment would: the SDK's own bearer header must get through. */
    static final String API_KEY = "sk-node-sdk-test";

    @Test
    void streamingThroughTheOfficialClientAssemblesTheSameText() throws Exception {
        assumeTrue(Files.isDirectory(CLIENT_DIR.resolve("node_modules/openai")),
                "skipped: the OpenAI Node SDK is not installed; run: npm ci --prefix src/test/node (.ci/run does)");
        try (ServerProcess server = new ServerProcess("--model", SharedData.storiesGguf().toString(), "--context", "512",
                "--api-key", API_KEY)) {
            Process node = new ProcessBuilder("node", CLIENT_DIR.resolve("openai-stream.mjs").toString(), server.baseUrl() + "/v1",
                            PROMPT, "stories260K.gguf", API_KEY)
                    .redirectErrorStream(true)
                    .start();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
            String output = new String(node.getInputStream().readAllBytes()).strip();
            assertThat(node.exitValue()).as(output).isZero();
            JsonNode streamed = new ObjectMapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow());

            var anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as("no key, no answer").isEqualTo(401);
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + API_KEY)
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

            String text = plain.at("/choices/0/text").asText();
            JsonNode choices = streamed.get("completionChoices");
            assertThat(choices).hasSize(2);
            for (int i = 0; i < 2; i++) {
                JsonNode c = choices.get(i);
                assertThat(c.get("index").asInt()).isEqualTo(i);
                assertThat(c.get("text").asText()).as("greedy choice %d", i).isEqualTo(text);
                assertThat(String.join("", strings(c.get("tokens")))).isEqualTo(text);
                assertThat(c.get("tokenLogprobs")).hasSize(c.get("tokens").size())
                        .allSatisfy(lp -> assertThat(lp.asDouble()).isLessThanOrEqualTo(0));
                // two alternatives, plus the sampled token when it is not among them (greedy: it is)
                assertThat(c.get("topCounts")).allSatisfy(n -> assertThat(n.asInt()).isEqualTo(2));
                JsonNode s = streamed.at("/streamedCompletion/" + i);
                assertThat(s.get("text").asText()).as("streamed choice %d", i).isEqualTo(text);
                assertThat(strings(s.get("tokens"))).isEqualTo(strings(c.get("tokens")));
                assertThat(s.get("finishReason").asText()).isEqualTo(c.get("finishReason").asText());
            }
            assertThat(streamed.at("/nUsage/completion_tokens").asInt()).isEqualTo(2 * plain.at("/usage/completion_tokens").asInt());
            JsonNode chat = streamed.get("chatChoices");
            assertThat(chat).hasSize(2);
            for (int i = 0; i < 2; i++) {
                JsonNode c = chat.get(i);
                assertThat(c.get("text").asText()).isEqualTo(streamed.get("chatText").asText()).isEqualTo(chat.get(0).get("text").asText());
                assertThat(c.get("bytesText").asText()).isEqualTo(c.get("text").asText());
                assertThat(c.get("topCounts")).isNotEmpty().allSatisfy(n -> assertThat(n.asInt()).isEqualTo(2));
                JsonNode s = streamed.at("/streamedChat/" + i);
                assertThat(s.get("text").asText()).isEqualTo(c.get("text").asText());
                assertThat(strings(s.get("tokens"))).isEqualTo(strings(c.get("tokens")));
            }
        }
    }
}
