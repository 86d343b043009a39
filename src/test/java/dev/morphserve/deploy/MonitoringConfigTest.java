package dev.morphserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.morphserve.testing.InstalledTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus and Grafana files: promtool's own checks and rule tests, and that
 * compose, Prometheus and Grafana name each other consistently. DeploymentIT runs them for real.
 */
class MonitoringConfigTest {
    private static final Path DOCKER = Path.of("docker");
    private static final Path PROMETHEUS = DOCKER.resolve("prometheus");
    private static final ObjectMapper YAML = YAMLMapper.builder().build();

    @Test
    void promtoolAcceptsTheConfigAndRulesAndTheRuleTestsPass() throws Exception {
        promtool("check", "config", PROMETHEUS.resolve("prometheus.yml").toString());
        promtool("check", "rules", PROMETHEUS.resolve("recording-rules.yml").toString(), PROMETHEUS.resolve("alert-rules.yml").toString());
        try (var tests = Files.list(PROMETHEUS.resolve("tests"))) {
            List<String> args = new ArrayList<>(List.of("test", "rules"));
            tests.map(Path::toString).filter(f -> f.endsWith(".yml")).sorted().forEach(args::add);
            assertThat(args).as("rule test files").hasSizeGreaterThan(2);
            promtool(args.toArray(String[]::new));
        }
    }

    @Test
    void everyAlertHasATestThatFiresIt() throws Exception {
        Set<String> alerts = new HashSet<>();
        for (JsonNode group : YAML.readTree(PROMETHEUS.resolve("alert-rules.yml").toFile()).path("groups")) {
            group.path("rules").forEach(rule -> alerts.add(rule.path("alert").asText()));
        }
        Set<String> fired = new HashSet<>();
        try (var tests = Files.list(PROMETHEUS.resolve("tests"))) {
            for (Path file : tests.toList()) {
                for (JsonNode test : YAML.readTree(file.toFile()).path("tests")) {
                    for (JsonNode check : test.path("alert_rule_test")) {
                        if (!check.path("exp_alerts").isEmpty()) {
                            fired.add(check.path("alertname").asText());
                        }
                    }
                }
            }
        }
        assertThat(fired).as("alerts some rule test expects to fire").containsAll(alerts);
    }

    @Test
    void composeWiresServerPrometheusAndGrafanaTogether() throws Exception {
        JsonNode compose = YAML.readTree(DOCKER.resolve("compose.yaml").toFile());
        JsonNode services = compose.path("services");
        assertThat(services.has("morphserve") && services.has("prometheus") && services.has("grafana")).as("services").isTrue();
        for (JsonNode service : services) {
            for (JsonNode volume : service.path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(DOCKER.resolve(source)).as("bind mount %s", volume.asText()).exists();
                }
            }
        }
        String dockerfile = services.path("morphserve").path("build").path("dockerfile").asText();
        assertThat(Path.of(dockerfile.replaceAll("\\$\\{[A-Z_]+:-(.*)}", "$1"))).as("compose's Dockerfile").exists();

        String target = YAML.readTree(PROMETHEUS.resolve("prometheus.yml").toFile()).path("scrape_configs").get(0)
                .path("static_configs").get(0).path("targets").get(0).asText();
        assertThat(target).as("Prometheus scrapes the compose service on the port the server listens on").isEqualTo("morphserve:8080");
        assertThat(services.path("morphserve").path("command").toString()).contains("\"--port\",\"8080\"", "\"--host\",\"0.0.0.0\"");

        JsonNode datasource = YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml").toFile()).path("datasources").get(0);
        assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:9090");
        JsonNode dashboard = new ObjectMapper().readTree(DOCKER.resolve("grafana/dashboards/morphserve.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.path("datasource").path("uid").asText()).as("panel %s datasource", panel.path("title")).isEqualTo(datasource.path("uid").asText());
            }
        }
        // The drain (morphserve.shutdown.grace) must end before Docker's SIGKILL.
        JsonNode server = services.path("morphserve");
        assertThat(seconds(server.path("stop_grace_period").asText())).isGreaterThan(seconds(server.path("environment").path("MORPHSERVE_SHUTDOWN_GRACE").asText()));
    }

    private static int seconds(String duration) {
        assertThat(duration).as("a duration in seconds").matches("\\d+s");
        return Integer.parseInt(duration.substring(0, duration.length() - 1));
    }

    private static void promtool(String... args) throws IOException, InterruptedException {
        Path binary = Path.of("/usr/bin/promtool");
        InstalledTool.require(Files.isExecutable(binary), "no promtool; install Debian's prometheus package (.ci/run does)");
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool %s:\n%s", String.join(" ", args), output).isZero();
    }
}
