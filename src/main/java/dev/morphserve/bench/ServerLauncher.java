package dev.morphserve.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fresh {@code serve} process of this very build, so that each configuration of a comparison
 * starts from the same cold state (no warmed cache, no leftover swaps). Configuration goes in as
 * {@code -D} properties, which Quarkus ranks above application.properties and the environment.
 */
public final class ServerLauncher implements AutoCloseable {
    private final Process process;
    private final URI url;
    private final Path log;

    /**
     * @param jar        the packaged {@code quarkus-run.jar}
     * @param jvmOptions extra JVM options (heap, direct memory) for the server
     * @param properties configuration keys and values, e.g. {@code morphserve.morph.mode=off}
     * @param serveArgs  arguments after {@code serve}
     * @param log        file for the server's stdout and stderr
     */
    public ServerLauncher(Path jar, List<String> jvmOptions, Map<String, String> properties, List<String> serveArgs, Path log,
            Duration readyTimeout) throws IOException, InterruptedException {
        this(Path.of(ProcessHandle.current().info().command().orElse("java")), jar, jvmOptions, properties, serveArgs, log, readyTimeout);
    }

    /** The same on another Java runtime, e.g. the jlinked one the images ship. */
    public ServerLauncher(Path java, Path jar, List<String> jvmOptions, Map<String, String> properties, List<String> serveArgs, Path log,
            Duration readyTimeout) throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        command.addAll(jvmOptions);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString(), "serve", "--port", Integer.toString(port)));
        command.addAll(serveArgs);
        this.log = log;
        // The server listens on loopback by default; 127.0.0.1 spares a try of ::1 where localhost has both.
        this.url = URI.create("http://127.0.0.1:" + port);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitReady(readyTimeout);
    }

    /** The jar this JVM runs, when it runs one: where {@code bench compare} finds the server to start. */
    public static Path runningJar() {
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.endsWith("quarkus-run.jar") || classPath.contains(java.io.File.pathSeparator)) {
            throw new IllegalStateException("cannot find the packaged jar to start servers from (class path: " + classPath
                    + "): run from ./morphserve or java -jar target/quarkus-app/quarkus-run.jar, or give --url of a running server");
        }
        return Path.of(classPath);
    }

    public URI url() {
        return url;
    }

    /** A port nothing listens on at the moment of asking (the server, or a test's other process, takes it next). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(url.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // still starting
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException((process.isAlive() ? "server not ready within " + timeout.toSeconds() + " s"
                : "server exited with status " + process.exitValue()) + "; last lines of " + log + ":\n" + tail());
    }

    /** The root cause when the server died of an exception (it says what to change), else the log's last lines. */
    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        String cause = lines.stream().filter(l -> l.startsWith("Caused by: ")).reduce((first, last) -> last).orElse(null);
        return cause != null ? cause : String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Sends SIGTERM and returns at once: the server drains (see {@code morphserve.shutdown.grace}). */
    public void terminate() {
        process.destroy();
    }

    /** The exit status, or empty if the server is still running after {@code timeout}. */
    public java.util.OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
    }

    /** The server's process id (tests read its threads and memory from /proc). */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
