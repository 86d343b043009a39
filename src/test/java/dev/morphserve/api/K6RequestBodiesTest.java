package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.testing.SharedData;
import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No k6 binary can be installed where the tests run, so the k6 scripts' own request builder
 * (k6/lib/workload.js) runs under node and every body it builds from the shared traces is posted
 * here: each must stream, end with [DONE] and carry the usage chunk the scripts count tokens from.
 */
@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class K6RequestBodiesTest {
    private static final String DRIVER = "src/test/node/k6-bodies.mjs";
    private static final List<String> TRACES = List.of(
            "traces/AzureLLMInferenceTrace_conv.csv", "traces/AzureLLMInferenceTrace_code.csv", "traces/mooncake_fast25_synthetic_trace.jsonl");
    // The synthetic model has a 128-token context and spells most words letter by letter: 12
    // one-token words stay inside it even as chat, template included.
    private static final List<String> SETTINGS = List.of("MODEL=tiny-f32.gguf", "CONTEXT=12", "HEADROOM=0");

    @Inject
    FakeEngineClient fake;

    @TestHTTPResource("/")
    URI server;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    @Test
    void everyBodyTheScriptsBuildStreamsToDone() throws Exception {
        JsonNode built = runDriver();
        JsonNode requests = built.get("requests");
        assertThat(requests).hasSize(TRACES.size() * 2 * 3);
        for (JsonNode request : requests) {
            String body = request.get("body").asText();
            JsonNode json = new ObjectMapper().readTree(body);
            var stream = SseTestClient.post(server.resolve(request.get("path").asText()), body);

            assertThat(stream.status()).as(body).isEqualTo(200);
            assertThat(stream.contentType()).as(body).startsWith("text/event-stream");
            assertThat(stream.lines().stream().filter(l -> !l.isEmpty())).as(body).allMatch(l -> l.startsWith("data: "));
            assertThat(stream.data().getLast()).as(body).isEqualTo("[DONE]");
            List<JsonNode> events = stream.events();
            assertThat(events).as(body).noneMatch(e -> e.has("error"));
            String pointer = request.get("api").asText().equals("chat") ? "/choices/0/delta/content" : "/choices/0/text";
            assertThat(events).as(body).anyMatch(e -> !e.at(pointer).asText().isEmpty());
            // ignore_eos: the server generates exactly the trace's (scaled) output length.
            assertThat(events.getLast().at("/usage/completion_tokens").asInt()).as(body).isEqualTo(json.get("max_tokens").asInt());
            assertThat(fake.lastRequest().maxTokens()).isEqualTo(json.get("max_tokens").asInt());
        }
    }

    @Test
    void everyScenarioUsesAnArrivalRateExecutorWithErrorAndTtftThresholds() throws Exception {
        JsonNode scenarios = runDriver().get("scenarios");
        assertThat(scenarios.at("/steady/scenarios/steady/executor").asText()).isEqualTo("constant-arrival-rate");
        assertThat(scenarios.at("/burst/scenarios/burst/executor").asText()).isEqualTo("ramping-arrival-rate");
        assertThat(scenarios.at("/soak/scenarios/soak/executor").asText()).isEqualTo("constant-arrival-rate");
        for (JsonNode options : scenarios) {
            assertThat(options.at("/thresholds/stream_errors/0").asText()).isEqualTo("rate<0.01");
            assertThat(options.at("/thresholds/ttft/0").asText()).isEqualTo("p(95)<2000");
        }
    }

    private static JsonNode runDriver() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", DRIVER));
        command.addAll(SETTINGS);
        TRACES.forEach(trace -> command.add(SharedData.require(trace).toString()));
        Process node;
        try {
            node = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("node (Node.js 18 or later) must be on the PATH: this test runs the k6 scripts' "
                    + "request builder k6/lib/workload.js with it", e);
        }
        // Read before waiting: the JSON is larger than a pipe's buffer.
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        return new ObjectMapper().readTree(output);
    }
}
