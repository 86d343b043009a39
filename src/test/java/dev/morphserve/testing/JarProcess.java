package dev.morphserve.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged jar ({@code target/quarkus-app/quarkus-run.jar}) as a user would. */
public final class JarProcess {
    private JarProcess() {}

    public record Output(int exitCode, String stdout, String stderr) {}

    public static Path jar() {
        Path jar = Path.of(System.getProperty("app.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("packaged jar missing at " + jar + ": run the integration tests with ./mvnw verify");
        }
        return jar;
    }

    public static ProcessBuilder builder(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx512m"));
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** Runs to completion (at most {@code timeoutSeconds}) and captures both streams. */
    public static Output run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), timeoutSeconds, args);
    }

    /** The same with {@code environment} added to this process's. */
    public static Output run(java.util.Map<String, String> environment, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("morphserve-out", ".txt");
        Path err = Files.createTempFile("morphserve-err", ".txt");
        ProcessBuilder builder = builder(args);
        builder.environment().putAll(environment);
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", args));
        }
        var result = new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }
}
