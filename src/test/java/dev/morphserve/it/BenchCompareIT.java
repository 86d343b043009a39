package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.JarProcess;
import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench compare} end to end: it starts a real server per configuration from the packaged
 * jar, loads it, and its token accounting adds up to what the load asked for.
 */
class BenchCompareIT {
    @TempDir
    Path tmp;

    @Test
    void fullPrecisionAgainstStaticLowPrecisionOnStories() throws Exception {
        Path out = tmp.resolve("compare");
        // 6 requests x 16 output tokens (ignore_eos) = 96 tokens per configuration
        var run = JarProcess.run(300, "bench", "compare", "--model", SharedData.storiesGguf().toString(),
                "--budget", "3400K", "--server-property", "morphserve.context-length=512",
                "--server-property", "morphserve.memory.reserve=256K", "--configs", "off,static",
                "--workload", "synthetic", "--num-requests", "6", "--prompt-tokens", "40", "--output-tokens", "16",
                "--quality-model", SharedData.storiesGguf().toString(), "--quality-context", "512",
                "--quality-file", SharedData.require("data/tinystories_validation_head.txt").toString(), "--quality-chars", "3000",
                "--output-dir", out.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        String md = Files.readString(out.resolve("compare.md"));
        assertThat(md).isEqualTo(run.stdout());
        assertThat(md).containsPattern("\\| full precision \\(morph off\\) \\| [0-9.]+ % \\| no TPOT SLO \\|.*\\| 0\\.00 / 0 \\| 0\\.0 % \\| [0-9.]+ \\(\\+0\\.00 %\\) \\|");
        assertThat(md).containsPattern("\\| static low precision \\(every layer swapped\\) \\|.*\\| 5\\.00 / 5 \\| 100\\.0 % \\|");
        // tokens per swapped-layer count: all of off's at 0, all of static's at 5
        assertThat(row(md, 0)).endsWith("| 96 | 0 |");
        assertThat(row(md, 5)).endsWith("| 0 | 96 |");
        for (String png : new String[] {"latency-quality.png", "timeline.png", "ttft-cdf.png"}) {
            assertThat(ImageIO.read(out.resolve(png).toFile())).as(png).isNotNull();
        }
        assertThat(out.resolve("off.json")).isNotEmptyFile();
        assertThat(out.resolve("static.json")).isNotEmptyFile();
    }

    @Test
    void reconfiguresOneRunningServerBetweenConfigurations() throws Exception {
        Path out = tmp.resolve("compare-url");
        try (ServerProcess server = new ServerProcess("--model", SharedData.storiesGguf().toString(), "--context", "512")) {
            // static first: off must then start from a server put back to full precision
            var run = JarProcess.run(300, "bench", "compare", "--url", server.baseUrl(), "--configs", "static,off",
                    "--workload", "synthetic", "--num-requests", "6", "--prompt-tokens", "40", "--output-tokens", "16",
                    "--no-quality", "--output-dir", out.toString());
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            String md = Files.readString(out.resolve("compare.md"));
            assertThat(md).containsPattern("\\| static low precision \\(every layer swapped\\) \\|.*\\| 5\\.00 / 5 \\| 100\\.0 % \\|");
            assertThat(md).containsPattern("\\| full precision \\(morph off\\) \\|.*\\| 0\\.00 / 0 \\| 0\\.0 % \\|");
            assertThat(server.log()).contains("swap_up");
        }
    }

    private static String row(String md, int swappedLayers) {
        Matcher m = Pattern.compile("(?m)^\\| " + swappedLayers + " \\| [0-9.]+ \\| .*$").matcher(md);
        assertThat(m.find()).as("quality row for %d swapped layers in:%n%s", swappedLayers, md).isTrue();
        return m.group();
    }
}
