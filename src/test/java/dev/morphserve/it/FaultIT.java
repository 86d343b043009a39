package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.HttpProbe;
import dev.morphserve.testing.HttpProbe.Answer;
import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults a server meets in production, against the packaged jar on loopback, each bounded in
 * requests and time. After each, the engine must hold no request, every KV block must be free
 * and a new request must be served; the shutdown cases check the drain contract instead.
 */
class FaultIT {
    /** A long answer: streams stay in flight while the fault happens. */
    static final String LONG_STREAM = "{\"prompt\":\"Once upon a time\",\"max_tokens\":400,\"ignore_eos\":true,\"stream\":true}";

    static ServerProcess server;
    static HttpProbe http;

    @BeforeAll
    static void start() throws Exception {
        // Small queues so that overload is reachable with a few dozen requests.
        server = new ServerProcess(Map.of("morphserve.engine.max-running-requests", "4", "morphserve.engine.max-waiting-requests", "8"),
                "--model", SharedData.storiesGguf().toString(), "--context", "512");
        http = new HttpProbe(server.baseUrl());
    }

    /** None of the faults is a server error: no ERROR line and no stack trace in the log. */
    @AfterAll
    static void stop() throws Exception {
        if (server == null) {
            return;
        }
        try {
            assertThat(server.log().lines().filter(l -> l.contains(" ERROR ") || l.startsWith("\tat "))).isEmpty();
        } finally {
            server.close();
        }
    }

    @Test
    void disconnectStormLeavesNothingBehind() throws Exception {
        List<Integer> statuses = inParallel(30, i -> {
            HttpResponse<InputStream> response = http.client().send(streamRequest(LONG_STREAM), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() == 200) {
                    readDataLines(body, 1 + i % 3); // then hang up mid-stream
                }
            }
            return response.statusCode();
        });
        assertThat(statuses).allMatch(s -> s == 200 || s == 503).filteredOn(s -> s == 200).hasSizeGreaterThanOrEqualTo(4);
        http.assertQuiescentAndServing();
    }

    @Test
    void overloadAnswers503WithRetryAfterAndServesTheRest() throws Exception {
        List<Answer> answers = inParallel(24, i -> http.post("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":300,\"ignore_eos\":true}"));
        List<Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
        List<Answer> served = answers.stream().filter(a -> a.status() == 200).toList();
        assertThat(refused.size() + served.size()).isEqualTo(answers.size());
        assertThat(refused).isNotEmpty().allSatisfy(a -> {
            assertThat(a.header("Retry-After")).isNotNull();
            assertThat(a.json().path("error").path("code").asText()).isEqualTo("overloaded");
        });
        assertThat(served).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(a -> assertThat(a.json().path("usage").path("completion_tokens").asInt()).isEqualTo(300));
        http.assertQuiescentAndServing();
    }

    @Test
    void malformedAndHostileBodiesGet4xxAndTheServerStaysUp() throws Exception {
        List<String> bodies = List.of(
                "{", "", "null", "[]", "{\"prompt\":\"hi\",\"max_tokens\":1e999}", "{\"prompt\":\"hi\",\"temperature\":NaN}",
                "[".repeat(100_000), "{\"prompt\":" + "[".repeat(5_000) + "1" + "]".repeat(5_000) + "}",
                "{\"prompt\":\"" + "x".repeat(3_000_000) + "\"}", "{\"prompt\":[" + "1,".repeat(100_000) + "1]}",
                "{\"prompt\":\"\\ud800\",\"max_tokens\":2}", "{\"prompt\":\"hi\u0000\",\"max_tokens\":2,\"stop\":[\"" + "a".repeat(10_000) + "\"]}",
                "{\"prompt\":\"hi\",\"logit_bias\":{\"-1\":1e308}}", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}");
        for (String body : bodies) {
            String path = body.contains("messages") ? "/v1/chat/completions" : "/v1/completions";
            Answer answer = http.post(path, body);
            String shown = body.length() > 60 ? body.substring(0, 60) + "…" : body;
            assertThat(answer.status()).as("%s -> %s", shown, answer.body()).isBetween(400, 499);
            assertThat(answer.json().path("error").path("message").asText()).as(shown).isNotBlank().doesNotContain("\tat ");
        }
        byte[] invalidUtf8 = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        Answer answer = http.send(http.request("/v1/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(invalidUtf8)).build());
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        http.assertQuiescentAndServing();
    }

    @Test
    void morphCycleUnderLoadKeepsEveryStream() throws Exception {
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Answer>> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            streams.add(pool.submit(() -> http.post("/v1/completions", LONG_STREAM)));
        }
        assertThat(http.post("/v1/morph", "{\"mode\":\"performance\"}").status()).isEqualTo(200);
        for (String command : List.of("{\"action\":\"swap_down\",\"layer\":0}", "{\"action\":\"swap_down\",\"layer\":1}",
                "{\"action\":\"swap_up\",\"layer\":1}", "{\"action\":\"swap_up\",\"layer\":0}")) {
            Answer answer = http.post("/v1/morph", command);
            assertThat(answer.status()).as(command + " -> " + answer.body()).isIn(200, 202);
        }
        for (Future<Answer> stream : streams) {
            Answer answer = stream.get();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.data()).last().isEqualTo("[DONE]");
            assertThat(answer.body()).contains("\"finish_reason\":\"length\"").doesNotContain("\"error\"");
        }
        pool.shutdown();
        http.assertQuiescentAndServing();
    }

    @Test
    void sigtermDrainsRunningStreamsAndRefusesNewWork() throws Exception {
        try (ServerProcess draining = new ServerProcess(Map.of("morphserve.engine.max-running-requests", "1",
                "morphserve.shutdown.grace", "30s"), "--model", SharedData.storiesGguf().toString(), "--context", "512")) {
            HttpProbe probe = new HttpProbe(draining.baseUrl());
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<Answer>> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(pool.submit(() -> probe.post("/v1/completions", LONG_STREAM)));
            }
            awaitRunning(probe);
            draining.terminate();
            Answer ready = probe.get("/q/health/ready");
            Answer refused = probe.post("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
            assertThat(ready.status()).as(ready.body()).isEqualTo(503);
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotNull();
            assertThat(refused.json().path("error").path("code").asText()).isEqualTo("server_shutting_down");
            for (Future<Answer> stream : streams) {
                Answer answer = stream.get();
                assertThat(answer.body()).contains("\"finish_reason\":\"length\"").doesNotContain("\"error\"");
                assertThat(answer.data()).last().isEqualTo("[DONE]");
            }
            assertThat(draining.awaitExit(Duration.ofSeconds(30))).as("exited after draining").isPresent();
            assertThat(draining.log()).contains("drained in");
            pool.shutdown();
        }
    }

    @Test
    void sigtermAfterTheGracePeriodEndsStreamsWithAnErrorEventAndRefusesTheWaiting() throws Exception {
        try (ServerProcess cut = new ServerProcess(Map.of("morphserve.engine.max-running-requests", "1",
                "morphserve.shutdown.grace", "0s"), "--model", SharedData.storiesGguf().toString(), "--context", "512")) {
            HttpProbe probe = new HttpProbe(cut.baseUrl());
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<Answer>> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(pool.submit(() -> probe.post("/v1/completions", LONG_STREAM.replace("400", "500"))));
            }
            awaitRunning(probe);
            cut.terminate();
            int interrupted = 0;
            for (Future<Answer> stream : streams) {
                Answer answer = stream.get();
                if (answer.status() == 503) {
                    assertThat(answer.header("Retry-After")).isNotNull();
                    continue;
                }
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.data()).last().isEqualTo("[DONE]");
                if (answer.body().contains("\"error\"")) {
                    interrupted++;
                    assertThat(answer.body()).contains("server_shutting_down").containsPattern("\"finish_reason\":\"\\w+\"");
                }
            }
            assertThat(interrupted).as("streams cut by the shutdown").isPositive();
            assertThat(cut.awaitExit(Duration.ofSeconds(30))).isPresent();
            pool.shutdown();
        }
    }

    private static void awaitRunning(HttpProbe probe) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (probe.get("/v1/morph").json().path("queue").path("running").asInt() == 0) {
            assertThat(System.nanoTime()).as("a request started").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static HttpRequest streamRequest(String body) {
        return http.request("/v1/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void readDataLines(InputStream body, int count) throws Exception {
        var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        for (int seen = 0; seen < count; ) {
            String line = reader.readLine();
            if (line == null) {
                return;
            }
            if (line.startsWith("data: ")) {
                seen++;
            }
        }
    }

    interface Indexed<T> {
        T call(int index) throws Exception;
    }

    private static <T> List<T> inParallel(int count, Indexed<T> task) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit((Callable<T>) () -> task.call(index)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }
}
