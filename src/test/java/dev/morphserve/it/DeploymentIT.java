package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.bench.ServerLauncher;
import dev.morphserve.testing.HttpProbe;
import dev.morphserve.testing.PrometheusServer;
import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the images and docker/compose.yaml run, minus the container (no engine on these machines):
 * the server on the jlinked runtime of {@code docker/jlink-runtime.sh}, the images' health check
 * script, and a real Prometheus with the shipped configuration and rules scraping it under load
 * with a manual swap; then every PromQL expression of the Grafana dashboard is run against it.
 */
class DeploymentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static ServerProcess server;
    static HttpProbe http;

    @BeforeAll
    static void startOnTheImageRuntime() throws Exception {
        Path runtime = Path.of("target/jlink-runtime");
        Path log = Path.of("target/jlink-runtime.log");
        Process jlink = new ProcessBuilder("bash", "docker/jlink-runtime.sh", runtime.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(jlink.waitFor(180, TimeUnit.SECONDS)).as("jlink finished").isTrue();
        assertThat(jlink.exitValue()).as("docker/jlink-runtime.sh: %s", Files.readString(log)).isZero();
        server = new ServerProcess(runtime.resolve("bin/java"), Map.of("morphserve.morph.mode", "manual"),
                "--model", SharedData.storiesGguf().toString(), "--context", "512");
        http = new HttpProbe(server.baseUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            String log = server.log();
            server.close();
            assertThat(log).as("server log on the jlinked runtime").doesNotContain("NoClassDefFoundError", "ClassNotFoundException", " ERROR ");
        }
    }

    @Test
    void healthCheckScriptAnswersWhileTheServerLives() throws Exception {
        assertThat(healthCheck(server.port())).as("healthcheck.sh against a live server").isZero();
        assertThat(healthCheck(ServerLauncher.freePort())).as("healthcheck.sh where nothing listens").isNotZero();
    }

    @Test
    void prometheusScrapesMorphAndLatencySeriesAndEveryDashboardQueryRuns() throws Exception {
        try (PrometheusServer prometheus = PrometheusServer.scraping("127.0.0.1:" + server.port())) {
            // Prometheus's discovery hands targets over about 5 s after start: a load before the first scrape would not show in any rate.
            awaitSample(prometheus, "up{job=\"morphserve\"} == 1");
            runLoadWithAManualSwap();
            awaitSample(prometheus, "morphserve_layer_level{layer=\"1\"} == 1");
            awaitSample(prometheus, "job:morphserve_time_to_first_token_seconds:p90_1m >= 0");

            for (String series : List.of("morphserve_time_to_first_token_seconds_count", "morphserve_inter_token_latency_seconds_bucket",
                    "morphserve_layer_swaps_total{direction=\"down\"}", "morphserve_kv_resizes_total", "morphserve_swap_latency_seconds_count",
                    "morphserve_kv_cache_usage_perc", "morphserve_num_requests_waiting", "morphserve_memory_bytes{part=\"kv_cache\"}")) {
                assertThat(prometheus.query(series).path("data").path("result")).as("series %s", series).isNotEmpty();
            }
            assertRulesHealthy(prometheus);
            Map<String, String> failures = new LinkedHashMap<>();
            for (String expr : dashboardExpressions()) {
                JsonNode answer = prometheus.query(expr);
                if (!"success".equals(answer.path("status").asText())) {
                    failures.put(expr, answer.path("error").asText());
                } else if (answer.path("data").path("result").isEmpty()) {
                    failures.put(expr, "no series");
                }
            }
            assertThat(failures).as("dashboard queries that failed or found nothing").isEmpty();
        }
    }

    /** Four clients for a few seconds; layer 1 swaps down in the middle; one refused command. */
    private static void runLoadWithAManualSwap() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        List<Future<Integer>> results = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            results.add(clients.submit(() -> {
                int served = 0;
                while (System.nanoTime() < end) {
                    var answer = http.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":48,\"stream\":true}");
                    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                    served++;
                }
                return served;
            }));
        }
        Thread.sleep(2000);
        var swap = http.post("/v1/morph", "{\"action\":\"swap_down\",\"layer\":1}");
        assertThat(swap.status()).as(swap.body()).isEqualTo(200);
        var refused = http.post("/v1/morph", "{\"action\":\"swap_up\",\"layer\":0}");
        assertThat(refused.status()).as("swap_up of a base layer is refused: %s", refused.body()).isEqualTo(409);
        for (Future<Integer> result : results) {
            assertThat(result.get(60, TimeUnit.SECONDS)).isPositive();
        }
        clients.shutdown();
    }

    /** Every recording and alert rule evaluated without error: Prometheus reports each rule's health. */
    private static void assertRulesHealthy(PrometheusServer prometheus) throws Exception {
        JsonNode groups = prometheus.get("/api/v1/rules").path("data").path("groups");
        List<String> rules = new ArrayList<>();
        List<String> unhealthy = new ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                rules.add(rule.path("name").asText());
                if (!"ok".equals(rule.path("health").asText())) {
                    unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " " + rule.path("lastError").asText());
                }
            }
        }
        assertThat(rules).as("rules loaded").contains("job:morphserve_inter_token_latency_seconds:p90_1m", "MorphServeTtftSloBreached",
                "MorphServeQueueBacklog", "MorphServeKvCacheFull");
        assertThat(unhealthy).as("rules that did not evaluate").isEmpty();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                if ("recording".equals(rule.path("type").asText())) {
                    String name = rule.path("name").asText();
                    assertThat(prometheus.query(name).path("data").path("result")).as("recorded series %s", name).isNotEmpty();
                }
            }
        }
    }

    static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = JSON.readTree(Path.of("docker/grafana/dashboards/morphserve.json").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
        }
        assertThat(expressions).as("dashboard queries").hasSizeGreaterThan(20);
        return expressions;
    }

    private static void awaitSample(PrometheusServer prometheus, String promql) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (prometheus.query(promql).path("data").path("result").isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no sample for " + promql + " within 30 s; TTFT count over the last minute: "
                        + prometheus.query("morphserve_time_to_first_token_seconds_count[1m]").path("data")
                        + "\nrules: " + prometheus.get("/api/v1/rules").path("data") + "\nPrometheus log:\n" + prometheus.log());
            }
            Thread.sleep(250);
        }
    }

    private static int healthCheck(int port) throws Exception {
        ProcessBuilder check = new ProcessBuilder("bash", "docker/healthcheck.sh").redirectErrorStream(true);
        check.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process process = check.start();
        assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("healthcheck.sh finished").isTrue();
        return process.exitValue();
    }
}
