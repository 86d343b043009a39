package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.testing.JarProcess;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench soak} end to end, shortened to 20 s: a real server from the packaged jar under the
 * whole mix with morph passes, samples of its process, and the check that it comes back to rest.
 */
class BenchSoakIT {
    @TempDir
    Path tmp;

    @Test
    void shortSoakOnStoriesSamplesTheServerAndFindsItQuiescent() throws Exception {
        Path out = tmp.resolve("soak");
        var run = JarProcess.run(180, "bench", "soak", "--model", SharedData.storiesGguf().toString(), "--context", "512",
                "--duration", "20s", "--sample-every", "2s", "--morph-every", "5s", "--output", out.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        JsonNode report = new ObjectMapper().readTree(out.resolve("soak.json").toFile());
        JsonNode samples = report.path("samples");
        assertThat(samples.size()).as("a sample every 2 s over 20 s").isGreaterThanOrEqualTo(8);
        for (JsonNode sample : samples) {
            assertThat(sample.path("rssBytes").asLong()).as(sample.toString()).isGreaterThan(0);
            assertThat(sample.path("threads").asInt()).as(sample.toString()).isGreaterThan(0);
        }
        JsonNode totals = report.path("totals");
        assertThat(totals.path("OK").asLong()).isGreaterThan(10);
        assertThat(totals.path("DISCONNECT").asLong()).as("clients hung up mid-stream").isGreaterThan(0);
        assertThat(totals.path("SERVER_ERROR").asLong() + totals.path("OVERLOADED").asLong() + totals.path("ERROR").asLong()).isZero();
        assertThat(report.at("/byKind/bad_request/OK").asLong()).as("bad requests are refused").isZero();
        assertThat(report.at("/morphAnswers/200").asLong()).as("scheduled swaps applied").isGreaterThan(0);
        assertThat(report.path("serverAlive").asBoolean()).isTrue();
        assertThat(report.at("/quiescence/passed").asBoolean()).as(report.path("quiescence").toString()).isTrue();
        assertThat(report.at("/quiescence/last/kvFreeBlocks").asInt()).isEqualTo(report.at("/quiescence/last/kvTotalBlocks").asInt());

        String md = Files.readString(out.resolve("soak.md"));
        assertThat(md).isEqualTo(run.stdout());
        assertThat(md).contains("**Passed**", "## Drift", "| metric | early | late | ratio |");
        assertThat(md).containsPattern("\\| RSS \\(MB\\) \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|");
        assertThat(md).containsPattern("\\| threads \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|");
        assertThat(md).containsPattern("ERROR lines in server\\.log: \\d+");
        assertThat(md).containsPattern("Quiescence \\*\\*passed\\*\\*.*fresh request answered 200");
        assertThat(ImageIO.read(out.resolve("soak.png").toFile())).isNotNull();
        assertThat(out.resolve("server.log")).isNotEmptyFile();
    }
}
