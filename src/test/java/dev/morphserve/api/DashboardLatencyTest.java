package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's TTFT/TPOT figures come from Prometheus histograms by arithmetic in the page's own
 * JavaScript (dashboard/prometheus.js); src/test/node/dashboard-latency.mjs checks it under node
 * on histograms whose mean and p90 are known.
 */
class DashboardLatencyTest {
    private static final String SCRIPT = "src/test/node/dashboard-latency.mjs";

    @Test
    void meanAndP90OverTheWindowAreThoseOfTheObservationsInIt() throws Exception {
        Process node;
        try {
            node = new ProcessBuilder("node", SCRIPT).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("node (Node.js 20 or later) must be on the PATH: this test runs the dashboard's JavaScript", e);
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).endsWith("ok");
    }
}
