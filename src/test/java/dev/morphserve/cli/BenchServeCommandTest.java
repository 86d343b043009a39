package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.bench.FakeOpenAiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchServeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchServeCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The BOS the server adds plus one token per word. */
    private static int promptTokens(JsonNode body) {
        return body.get("prompt").asText().split(" ").length + 1;
    }

    @Test
    void syntheticRunAgainstAStreamingServerReportsCountsLatenciesAndFailures() throws IOException {
        // 80 ms to the first token, 20 ms between tokens; every 5th request is refused with 503.
        try (FakeOpenAiServer server = new FakeOpenAiServer(80, 20, 5, 256, true)) {
            Path json = dir.resolve("out/report.json");
            Run run = run("--url", server.baseUri().toString(), "--rate", "20", "--num-requests", "20",
                    "--prompt-tokens", "8:16", "--output-tokens", "6", "--seed", "3", "--slo-ttft-ms", "5000",
                    "--slo-tpot-ms", "1000", "--no-progress", "--output-json", json.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();

            JsonNode report = JSON.readTree(json.toFile());
            JsonNode metrics = report.get("metrics");
            assertThat(metrics.get("totalRequests").asInt()).isEqualTo(20);
            assertThat(metrics.get("completed").asInt()).isEqualTo(16);
            assertThat(metrics.get("failed").asInt()).isEqualTo(4);
            assertThat(metrics.get("errors").get("HTTP 503").asInt()).isEqualTo(4);
            assertThat(metrics.get("totalOutputTokens").asLong()).isEqualTo(16 * 6);
            assertThat(metrics.get("goodRequests").asInt()).isEqualTo(16);
            assertThat(metrics.get("ttftMissShare").asDouble()).isEqualTo(0.2);

            assertThat(report.get("config").get("contextTokens").asInt()).isEqualTo(256);
            assertThat(report.get("config").get("contextSource").asText()).isEqualTo("server");
            assertThat(report.get("config").get("modelName").asText()).isEqualTo("fake-model");
            assertThat(report.get("lengthMapping").get("scaleFactor").asDouble()).isEqualTo(1.0);

            List<JsonNode> requests = list(report.get("requests"));
            assertThat(requests).hasSize(20);
            List<JsonNode> refused = requests.stream().filter(r -> !r.get("success").asBoolean()).toList();
            assertThat(refused).hasSize(4).allSatisfy(r -> {
                assertThat(r.get("httpStatus").asInt()).isEqualTo(503);
                assertThat(r.get("error").asText()).contains("waiting queue is full");
            });
            List<Double> itls = new ArrayList<>();
            for (JsonNode r : requests.stream().filter(r -> r.get("success").asBoolean()).toList()) {
                assertThat(r.get("outputTokens").asInt()).isEqualTo(6);
                assertThat(r.get("usageReported").asBoolean()).isTrue();
                assertThat(r.get("ttftMs").asDouble()).isBetween(75.0, 1500.0);
                assertThat(r.get("itlMs")).hasSize(5);
                r.get("itlMs").forEach(itl -> itls.add(itl.asDouble()));
                // TPOT = (e2e - ttft) / 5 is about the 20 ms token gap.
                assertThat(r.get("tpotMs").asDouble()).isBetween(15.0, 200.0);
            }
            itls.sort(Double::compare);
            assertThat(itls.get(itls.size() / 2)).isBetween(17.0, 100.0);
            assertThat(metrics.get("itl").get("p50Ms").asDouble()).isBetween(17.0, 100.0);

            assertThat(server.bodies()).hasSize(20).allSatisfy(b -> {
                assertThat(promptTokens(b)).isBetween(8, 16);
                assertThat(b.get("max_tokens").asInt()).isEqualTo(6);
                assertThat(b.get("model").asText()).isEqualTo("fake-model");
            });

            assertThat(run.out()).contains("| requests completed / failed / total | 16 / 4 / 20 |", "HTTP 503: 4",
                    "| TTFT | 16 |", "| ITL | 80 |", "| completed with fewer output tokens than asked | 0 |", "goodput (req/s, TTFT <= 5000 ms, TPOT <= 1000 ms)");
            assertThat(run.err()).contains("synthetic: 20 requests, Poisson at 20.0 req/s");
        }
    }

    @Test
    void traceReplayScalesLengthsIntoTheGivenContextAndCountsChunksWithoutUsage() throws IOException {
        Path csv = dir.resolve("trace.csv");
        Files.writeString(csv, """
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:15:46.6805900,374,44
                2023-11-16 18:15:47.0000000,4808,10
                2023-11-16 18:15:47.5000000,120,300
                2023-11-16 18:15:48.0000000,50,5
                2023-11-16 18:16:46.0000000,50,5
                """);
        try (FakeOpenAiServer server = new FakeOpenAiServer(5, 2, 0, null, false)) {
            Path json = dir.resolve("trace.json");
            Run run = run("--url", server.baseUri() + "/v1", "--trace", csv.toString(), "--window-seconds", "10", "--speedup", "4",
                    "--context", "64", "--length-mapping", "scale", "--model-name", "stories260K", "--output-json", json.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();

            // The last row lies outside the 10 s window.
            assertThat(server.bodies()).hasSize(4).allSatisfy(b -> {
                assertThat(promptTokens(b)).isGreaterThanOrEqualTo(2);
                assertThat(b.get("max_tokens").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(promptTokens(b) + b.get("max_tokens").asInt()).isLessThanOrEqualTo(64);
                assertThat(b.get("model").asText()).isEqualTo("stories260K");
                assertThat(b.get("prompt").asText()).matches("[a-z]+( [a-z]+)*");
            });
            JsonNode report = JSON.readTree(json.toFile());
            assertThat(report.get("lengthMapping").get("mode").asText()).isEqualTo("scale");
            assertThat(report.get("lengthMapping").get("scaleFactor").asDouble()).isLessThan(0.02);
            assertThat(report.get("config").get("contextSource").asText()).isEqualTo("--context");
            assertThat(report.get("metrics").get("completed").asInt()).isEqualTo(4);
            for (JsonNode r : report.get("requests")) {
                assertThat(r.get("usageReported").asBoolean()).isFalse();
                assertThat(r.get("outputTokens").asInt()).isEqualTo(r.get("requestedOutputTokens").asInt());
            }
            // Arrivals 0, 0.319, 0.819, 1.319 s divided by 4.
            assertThat(report.get("requests").get(3).get("scheduledMs").asDouble()).isCloseTo(329.8, org.assertj.core.data.Offset.offset(0.1));
            assertThat(run.out()).contains("scale to context 64", "Azure trace trace.csv, window from 0 s for 10 s, speed-up x4");
        }
    }

    @Test
    void badOptionsExitWithUsageErrors() {
        Run noTrace = run("--workload", "azure", "--no-progress");
        assertThat(noTrace.exitCode()).isEqualTo(2);
        assertThat(noTrace.err()).contains("--workload azure needs --trace FILE");

        Run badMapping = run("--length-mapping", "squeeze");
        assertThat(badMapping.exitCode()).isEqualTo(2);
        assertThat(badMapping.err()).contains("--length-mapping");

        Run badSlo = run("--slo-ttft-ms", "0");
        assertThat(badSlo.exitCode()).isEqualTo(2);
        assertThat(badSlo.err()).contains("--slo-ttft-ms must be > 0");
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }
}
