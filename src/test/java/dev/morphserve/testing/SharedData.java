package dev.morphserve.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The team's shared test data in {@code ../shared}. A fresh clone without it skips these tests with
 * a message; CI ({@code .ci/run}) refuses to run without it, so there they always run.
 */
public final class SharedData {
    public static final Path ROOT = Path.of("..", "shared");
    public static final Path STORIES = ROOT.resolve("models/stories260K");

    private SharedData() {}

    /** A file under ../shared, or the test is skipped with a message naming it. */
    public static Path require(String relative) {
        Path path = ROOT.resolve(relative);
        assumeTrue(Files.isRegularFile(path),
                () -> "skipped: " + path.toAbsolutePath() + " is missing (../shared holds the team's test data)");
        return path;
    }

    public static Path storiesGguf() {
        return require("models/stories260K/stories260K.gguf");
    }

    public static JsonNode golden() {
        try {
            return new ObjectMapper().readTree(require("models/stories260K/golden.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }
}
