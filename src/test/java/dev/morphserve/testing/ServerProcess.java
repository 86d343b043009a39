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
        log = Files.createTempFile("morphserve-server", ".log");
        server = new ServerLauncher(JarProcess.jar(), List.of("-Xmx512m"), Map.of(), List.of(serveArgs), log, Duration.ofSeconds(90));
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
