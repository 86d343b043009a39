package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwapQualityCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTableAndPlotForStories260K() throws Exception {
        Path model = SharedData.storiesGguf();
        Path text = SharedData.require("data/tinystories_validation_head.txt");
        CommandRun run = CommandRun.of(new SwapQualityCommand(), "--model", model.toString(), "--context", "512",
                "--file", text.toString(), "--chars", "4000", "--calibration-chars", "3000", "--max-swapped", "2",
                "--seeds", "2", "--oracle", "--agreement-prompts", "4", "--agreement-tokens", "16", "--threads", "2",
                "--output-dir", dir.toString());

        assertThat(run.code()).as(run.err()).isZero();
        String md = Files.readString(dir.resolve("swap-quality.md"));
        assertThat(md)
                .contains("| swapped layers | LIS: perplexity | LIS: agreement (prefix) | front-to-back: perplexity |")
                .contains("| worst subset (oracle): perplexity | worst subset (oracle): agreement (prefix) |")
                // k = 0 is full precision: its own continuations, all 16 tokens equal
                .containsPattern("\\| 0 \\| (\\d+\\.\\d{4} \\(\\+0\\.00%\\) \\| 100\\.0% \\(16\\.0\\) \\|\\s?){6}")
                .contains("over 4 prompts of 32 tokens")
                .containsPattern("(?m)^\\| 2 \\|")
                .contains("characters 4000..7000");
        byte[] png = Files.readAllBytes(dir.resolve("swap-quality.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(dir.resolve("stories260K.gguf.morph-profile.json")).exists();
    }
}
