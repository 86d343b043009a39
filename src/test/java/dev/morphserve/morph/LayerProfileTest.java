package dev.morphserve.morph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerProfileTest {
    @TempDir
    Path dir;

    static LayerProfile sample() {
        return new LayerProfile("m.gguf", "Q4_0", 1234, "text.txt characters 0..20000",
                List.of(LayerScore.of(0, 0.5, 0.99, 0.97, 1), LayerScore.of(1, 0.7, 0.98, 0.99, 0),
                        LayerScore.of(2, 0.6, 0.97, 0.90, 2)),
                List.of(1, 0, 2), "chosen-swapped");
    }

    @Test
    void jsonRoundTripBesideTheModel() throws IOException {
        Path model = dir.resolve("m.gguf");
        Path path = LayerProfile.defaultPath(model);
        assertThat(path.getFileName().toString()).isEqualTo("m.gguf.morph-profile.json");
        sample().write(path);
        assertThat(LayerProfile.read(path)).isEqualTo(sample());
        assertThat(Files.readString(path)).contains("\"swapOrder\"").contains("\"lis\"");

        SwapOrder order = LayerProfile.loadOrDefault(model, 3);
        assertThat(order.fromProfile()).isTrue();
        assertThat(order.layers()).containsExactly(1, 0, 2);
        assertThat(order.first(2)).containsExactly(1, 0);
        assertThat(order.source()).isEqualTo("LIS profile " + path.getFileName()); // GET /v1/morph shows it: no server paths
    }

    @Test
    void fallsBackToFrontToBackWhenNoProfileExists() throws IOException {
        SwapOrder order = LayerProfile.loadOrDefault(dir.resolve("other.gguf"), 4);
        assertThat(order.fromProfile()).isFalse();
        assertThat(order.layers()).containsExactly(0, 1, 2, 3);
        assertThat(order.source()).startsWith("front-to-back (no layer profile ").doesNotContain("/");
    }

    @Test
    void corruptOrMismatchedProfilesAreClearErrors() throws IOException {
        Path model = dir.resolve("m.gguf");
        Path path = LayerProfile.defaultPath(model);
        Files.writeString(path, "{\"modelFile\": \"m.gguf\", \"layers\": [");
        assertThatThrownBy(() -> LayerProfile.loadOrDefault(model, 3))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("corrupt layer profile " + path)
                .hasMessageContaining("run `profile` again");

        String json = Files.readString(writeSample(path)).replace("\"swapOrder\" : [ 1, 0, 2 ]", "\"swapOrder\" : [ 1, 1, 2 ]");
        Files.writeString(path, json);
        assertThatThrownBy(() -> LayerProfile.read(path))
                .hasMessageContaining("corrupt layer profile")
                .hasMessageContaining("not a permutation of 0..2");

        writeSample(path);
        assertThatThrownBy(() -> LayerProfile.loadOrDefault(model, 5)).hasMessageContaining("has 3 layers but the model has 5");
    }

    private static Path writeSample(Path path) throws IOException {
        sample().write(path);
        return path;
    }
}
