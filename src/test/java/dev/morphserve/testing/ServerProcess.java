package dev.morphserve.testing;

import dev.morphserve.bench.ServerLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The packaged jar's {@code serve} on a free port, ready when constructed, stopped on close. */
public final class ServerProcess implements AutoCloseable {
    private final ServerLauncher server;
    private final Path log;

    public ServerProcess(String... serveArgs) throws IOException, InterruptedException {
        this(Map.of(), serveArgs);
    }

    /** @param properties configuration keys and values, passed as {@code -D} options */
    public ServerProcess(Map<String, String> properties, String... serveArgs) throws IOException, InterruptedException {
        this(Path.of(ProcessHandle.current().info().command().orElse("java")), properties, serveArgs);
    }

    /** @param java the {@code java} binary to run the jar with (a jlinked runtime's, say) */
    public ServerProcess(Path java, Map<String, String> properties, String... serveArgs) throws IOException, InterruptedException {
        log = Files.createTempFile("morphserve-server", ".log");
        server = new ServerLauncher(java, JarProcess.jar(), List.of("-Xmx512m"), properties, List.of(serveArgs), log, Duration.ofSeconds(90));
    }

    /** The port the server listens on. */
    public int port() {
        return java.net.URI.create(baseUrl()).getPort();
    }

    /** SIGTERM, without waiting. */
    public void terminate() {
        server.terminate();
    }

    public java.util.OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return server.awaitExit(timeout);
    }

    public long pid() {
        return server.pid();
    }

    public String baseUrl() {
        return server.url().toString();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
