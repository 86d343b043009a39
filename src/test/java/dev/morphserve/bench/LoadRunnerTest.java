package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {
    private static final PromptFactory PROMPTS = new PromptFactory(1);

    @Test
    void openLoopSendsOnScheduleWithoutWaitingForSlowResponses() throws Exception {
        // Each response takes >= 300 ms; arrivals are 50 ms apart, so a closed loop would send late.
        try (FakeOpenAiServer server = new FakeOpenAiServer(300, 10, 0, null, true)) {
            CompletionClient client = new CompletionClient(CompletionClient.newHttpClient(), server.baseUri(), "m", PROMPTS, Duration.ofSeconds(30));
            List<TimedRequest> requests = List.of(
                    new TimedRequest(0, 4, 3), new TimedRequest(50, 4, 3), new TimedRequest(100, 4, 3), new TimedRequest(150, 4, 3));
            AtomicInteger finished = new AtomicInteger();
            LoadRunner.RunResult result = new LoadRunner(client, 0, r -> finished.incrementAndGet()).run(requests);

            assertThat(finished).hasValue(4);
            assertThat(result.records()).extracting(RequestRecord::index).containsExactly(0, 1, 2, 3);
            assertThat(result.records()).allSatisfy(r -> {
                assertThat(r.success()).as(r.error()).isTrue();
                assertThat(r.sendMs() - r.scheduledMs()).isBetween(-1.0, 40.0);
                assertThat(r.ttftMs()).isGreaterThanOrEqualTo(290);
            });
            // All four overlapped: the run took about 150 + 320 ms, not 4 x 320.
            assertThat(result.durationMs()).isLessThan(1000);
        }
    }

    @Test
    void concurrencyCapDelaysSendsButNotTheirTtft() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(200, 10, 0, null, true)) {
            CompletionClient client = new CompletionClient(CompletionClient.newHttpClient(), server.baseUri(), null, PROMPTS, Duration.ofSeconds(30));
            List<TimedRequest> requests = List.of(new TimedRequest(0, 4, 2), new TimedRequest(0, 4, 2));
            LoadRunner.RunResult result = new LoadRunner(client, 1, r -> {}).run(requests);
            RequestRecord second = result.records().get(1);
            assertThat(second.sendMs()).isGreaterThanOrEqualTo(200);
            assertThat(second.ttftMs()).isBetween(190.0, 600.0);
            assertThat(server.bodies()).allSatisfy(b -> assertThat(b.has("model")).isFalse());
        }
    }

    @Test
    void aStalledStreamIsCutAtTheRequestTimeout() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(0, 3000, 0, null, true)) {
            CompletionClient client = new CompletionClient(CompletionClient.newHttpClient(), server.baseUri(), null, PROMPTS,
                    Duration.ofMillis(300));
            LoadRunner.RunResult result = new LoadRunner(client, 0, r -> {}).run(List.of(new TimedRequest(0, 2, 3)));
            RequestRecord r = result.records().getFirst();
            assertThat(r.success()).isFalse();
            assertThat(r.errorKind()).isEqualTo("Timeout");
            assertThat(r.httpStatus()).isEqualTo(200); // the headers and a first token had arrived
            assertThat(result.durationMs()).isLessThan(2500);
        }
    }

    @Test
    void connectionRefusedIsARecordedFailure() throws Exception {
        URI closed;
        try (FakeOpenAiServer server = new FakeOpenAiServer(0, 0, 0, null, true)) {
            closed = server.baseUri();
        }
        CompletionClient client = new CompletionClient(CompletionClient.newHttpClient(), closed, null, PROMPTS, Duration.ofSeconds(5));
        RequestRecord r = new LoadRunner(client, 0, x -> {}).run(List.of(new TimedRequest(0, 2, 2))).records().getFirst();
        assertThat(r.success()).isFalse();
        assertThat(r.httpStatus()).isZero();
        assertThat(r.errorKind()).isEqualTo("ConnectException");
    }

    @Test
    void requestBodyAsksForExactLengthsAndStreamsUsage() throws Exception {
        CompletionClient client = new CompletionClient(CompletionClient.newHttpClient(), URI.create("http://x/v1/"), "stories", PROMPTS,
                Duration.ofSeconds(1));
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(client.body(3, new TimedRequest(0, 7, 9)));
        assertThat(body.get("model").asText()).isEqualTo("stories");
        assertThat(body.get("prompt").asText()).isEqualTo(PROMPTS.text(3, 7)).matches("[a-z]+( [a-z]+){5}");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(9);
        assertThat(body.get("ignore_eos").asBoolean()).isTrue();
        assertThat(body.get("temperature").asInt()).isZero();
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(PROMPTS.text(3, 7)).isEqualTo(PROMPTS.text(3, 7)).isNotEqualTo(PROMPTS.text(4, 7));
        assertThat(ServerInfo.resolve(URI.create("http://h:1/v1/"), "v1/models")).isEqualTo(URI.create("http://h:1/v1/models"));
    }
}
