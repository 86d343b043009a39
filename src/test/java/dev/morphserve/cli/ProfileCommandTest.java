package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.morph.LayerProfile;
import dev.morphserve.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCommandTest {
    @TempDir
    Path dir;

    @Test
    void profilesStories260KEndToEnd() throws Exception {
        Path model = SharedData.storiesGguf();
        Path text = SharedData.require("data/tinystories_validation_head.txt");
        Path output = dir.resolve("stories.morph-profile.json");

        CommandRun run = CommandRun.of(new ProfileCommand(), "--model", model.toString(), "--context", "512",
                "--file", text.toString(), "--chars", "5000", "--output", output.toString(), "--threads", "2");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("| layer | LTS | LRS | MDS at pick | LIS | order | base KB | Q4_0 KB | freed KB |")
                .containsPattern("\\| 4 \\| 0\\.\\d{6} \\| 0\\.\\d{6} \\| 0\\.\\d{6} \\| 0\\.\\d{6} \\| \\d \\|")
                .contains("swap order (LIS, MDS against chosen-swapped, first to last): [")
                .contains("wrote " + output);
        LayerProfile profile = LayerProfile.read(output);
        assertThat(profile.modelFile()).isEqualTo("stories260K.gguf");
        assertThat(profile.layers()).hasSize(5);
        assertThat(profile.swapOrder()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(profile.calibrationSource()).isEqualTo("tinystories_validation_head.txt characters 0..5000");
        assertThat(profile.calibrationTokens()).isGreaterThan(1000);
        assertThat(Files.exists(LayerProfile.defaultPath(model))).as("nothing written beside the shared model").isFalse();
    }

    @Test
    void badArgumentsAreOneLineErrors() throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "once upon a time");
        CommandRun missing = CommandRun.of(new ProfileCommand(), "--model", dir.resolve("none.gguf").toString(),
                "--file", text.toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("model file not found");
        CommandRun badType = CommandRun.of(new ProfileCommand(), "--model", "x.gguf", "--file", text.toString(),
                "--low-type", "F16");
        assertThat(badType.code()).isNotZero();
    }
}
