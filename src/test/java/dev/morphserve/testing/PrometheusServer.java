package dev.morphserve.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.morphserve.bench.ServerLauncher;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package, which {@code .ci/run} installs) running the shipped
 * {@code docker/prometheus/prometheus.yml} with its rule files, pointed at a test server and
 * sped up: scrapes and rule evaluations every second instead of every five.
 */
public final class PrometheusServer implements AutoCloseable {
    public static final Path CONFIG_DIR = Path.of("docker/prometheus");
    private static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final Process process;
    private final URI url;
    private final Path log;

    private PrometheusServer(Path dir, int port) throws IOException {
        url = URI.create("http://127.0.0.1:" + port);
        log = dir.resolve("prometheus.log");
        process = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Starts Prometheus scraping {@code target} (host:port); skips, or fails under CI, without the binary. */
    public static PrometheusServer scraping(String target) throws IOException, InterruptedException {
        InstalledTool.require(Files.isExecutable(BINARY), "no " + BINARY + "; install Debian's prometheus package (.ci/run does)");
        Path dir = Files.createTempDirectory("morphserve-prometheus");
        Files.writeString(dir.resolve("prometheus.yml"), YAMLMapper.builder().build().writeValueAsString(config(target)));
        PrometheusServer server = new PrometheusServer(dir, ServerLauncher.freePort());
        server.awaitReady();
        return server;
    }

    /** The shipped configuration with the test's target, absolute rule paths and one-second intervals. */
    static ObjectNode config(String target) throws IOException {
        ObjectNode config = (ObjectNode) YAMLMapper.builder().build().readTree(CONFIG_DIR.resolve("prometheus.yml").toFile());
        ObjectNode global = (ObjectNode) config.path("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        ArrayNode rules = (ArrayNode) config.path("rule_files");
        for (int i = 0; i < rules.size(); i++) {
            rules.set(i, CONFIG_DIR.resolve(rules.get(i).asText()).toAbsolutePath().toString());
        }
        ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
        ArrayNode targets = (ArrayNode) job.path("static_configs").get(0).path("targets");
        targets.removeAll().add(target);
        return config;
    }

    /** {@code /api/v1/query} at now: the whole answer, which says {@code status: success} or why not. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    public JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Prometheus exited at start-up:\n" + log());
            }
            try {
                HttpResponse<String> ready = client.send(HttpRequest.newBuilder(url.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // retried below
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus not ready within 30 s:\n" + log());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
