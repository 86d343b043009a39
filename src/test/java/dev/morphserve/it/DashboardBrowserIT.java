package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.testing.InstalledTool;
import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard at {@code GET /} in a real browser (Debian's Chromium, driven by playwright-core)
 * against the packaged server with an API key and an admin key: the page loads without console or
 * page errors, shows one cell per layer, switches the mode with the admin key, and shows a manual
 * swap within a second of the server answering it. The screenshot lands in target/ (the committed
 * docs/images/dashboard.png is a copy of one).
 */
class DashboardBrowserIT {
    private static final Path CLIENT_DIR = Path.of("src/test/node");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SCREENSHOT = Path.of("target/dashboard.png");
    private static final String API_KEY = "sk-dashboard-test";
    private static final String ADMIN_KEY = "sk-dashboard-admin";
    /** stories260K's decoder layers. */
    private static final int LAYERS = 5;

    @Test
    void theDashboardShowsEveryLayerAndAManualSwapWithinASecond() throws Exception {
        InstalledTool.require(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM + "; apt-get install chromium (.ci/run does)");
        InstalledTool.require(Files.isDirectory(CLIENT_DIR.resolve("node_modules/playwright-core")),
                "playwright-core is not installed; run: npm ci --prefix src/test/node (.ci/run does)");
        Files.deleteIfExists(SCREENSHOT);
        try (ServerProcess server = new ServerProcess("--model", SharedData.storiesGguf().toString(), "--context", "512",
                "--api-key", API_KEY, "--admin-api-key", ADMIN_KEY)) {
            Process node = new ProcessBuilder("node", "dashboard-check.mjs", server.baseUrl(), API_KEY, ADMIN_KEY,
                            SCREENSHOT.toAbsolutePath().toString())
                    .directory(CLIENT_DIR.toFile())
                    .redirectErrorStream(true)
                    .start();
            boolean finished = node.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                node.destroyForcibly();
            }
            String output = new String(node.getInputStream().readAllBytes()).strip();
            assertThat(finished).as("the browser check finished in time; it printed:\n%s", output).isTrue();
            assertThat(node.exitValue()).as(output).isZero();
            System.out.println("dashboard check: " + output);

            JsonNode result = new ObjectMapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow());
            assertThat(result.get("layers").asInt()).isEqualTo(LAYERS);
            JsonNode swap = result.get("swap");
            assertThat(swap.get("after").asText()).isNotEqualTo(swap.get("before").asText()).isEqualTo(swap.get("toType").asText());
            assertThat(swap.get("visibleAfterMs").asDouble()).as("ms from the swap's answer to the changed cell").isLessThan(1000);
            assertThat(Files.size(SCREENSHOT)).as("screenshot").isGreaterThan(10_000);
            assertThat(server.log()).doesNotContain(" ERROR ");
        }
    }
}
