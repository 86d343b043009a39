package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} from the packaged jar when it cannot start: one paragraph that says why and what to do, no stack trace. */
class ServeStartupFailureIT {
    @TempDir
    Path tmp;

    /** The default model (hf:...) with a Hugging Face endpoint nothing listens on: as with no network. */
    private JarProcess.Output serveWithoutNetwork(boolean debug) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MORPHSERVE_HF_ENDPOINT", "http://127.0.0.1:9");
        env.put("MORPHSERVE_CACHE_DIR", tmp.resolve("cache").toString());
        env.put("MORPHSERVE_DEBUG", debug ? "1" : "");
        return JarProcess.run(env, 90, "serve", "--port", "0");
    }

    private static String both(JarProcess.Output out) {
        return out.stdout() + out.stderr();
    }

    @Test
    void noNetworkForTheDefaultModelIsOneParagraph() throws Exception {
        JarProcess.Output out = serveWithoutNetwork(false);
        String text = both(out);

        assertThat(out.exitCode()).as(text).isNotZero();
        assertThat(out.stderr()).contains("error: serve: the server could not start: cannot download http://127.0.0.1:9/",
                "stories260K.gguf", "no network connection", "pass its path with --model", "MORPHSERVE_DEBUG=1");
        assertThat(text).doesNotContain("\tat ", "Failed to start application");
        assertThat(text.lines().count()).as(text).isLessThan(15);
        try (var files = Files.walk(tmp)) {
            assertThat(files.filter(p -> p.toString().endsWith(".gguf"))).as("nothing downloaded").isEmpty();
        }
    }

    @Test
    void debugModeKeepsTheStackTrace() throws Exception {
        JarProcess.Output out = serveWithoutNetwork(true);
        String text = both(out);

        assertThat(out.exitCode()).as(text).isNotZero();
        assertThat(text).contains("error: serve: the server could not start: cannot download", "\tat ", "ConnectException");
    }

    @Test
    void aMissingModelFileIsOneParagraph() throws Exception {
        Path missing = tmp.resolve("none.gguf");
        JarProcess.Output out = JarProcess.run(Map.of("MORPHSERVE_DEBUG", ""), 90, "serve", "--port", "0", "--model", missing.toString());
        String text = both(out);

        assertThat(out.exitCode()).as(text).isNotZero();
        assertThat(out.stderr()).contains("error: serve: the server could not start: morphserve.model: no model file at "
                + missing.toAbsolutePath(), "pass --model PATH");
        assertThat(text).doesNotContain("\tat ");
        assertThat(text.lines().count()).as(text).isLessThan(15);
    }
}
