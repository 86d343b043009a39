package dev.morphserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face downloads against a local server that speaks the Hub's resolve URLs and HTTP ranges. */
class ModelDownloaderTest {
    private static final byte[] FILE = new byte[300_000];

    static {
        new SplittableRandom(1).nextBytes(FILE);
    }

    @TempDir
    Path cache;

    private HttpServer server;
    private final List<String> requests = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            requests.add(exchange.getRequestURI().getPath() + (range == null ? "" : " " + range));
            if (!exchange.getRequestURI().getPath().equals("/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf")) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            exchange.getResponseHeaders().add("Content-Length", String.valueOf(FILE.length - from));
            exchange.sendResponseHeaders(range == null ? 200 : 206, FILE.length - from);
            exchange.getResponseBody().write(FILE, from, FILE.length - from);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private ModelDownloader downloader() {
        return new ModelDownloader(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), cache);
    }

    private static final ModelReference STORIES = ModelReference.parse("hf:ggml-org/models/tinyllamas/stories260K.gguf");

    @Test
    void downloadsOnceIntoTheCacheWithProgress() throws IOException {
        long[] last = {0, 0};
        Path path = downloader().resolve(STORIES, (bytes, total) -> {
            last[0] = bytes;
            last[1] = total;
        });
        assertThat(path).isEqualTo(cache.resolve("ggml-org/models/tinyllamas/stories260K.gguf"));
        assertThat(Files.readAllBytes(path)).isEqualTo(FILE);
        assertThat(last).containsExactly(FILE.length, FILE.length);
        assertThat(downloader().resolve(STORIES, (b, t) -> {})).isEqualTo(path);
        assertThat(requests).hasSize(1);
    }

    @Test
    void resumesAnInterruptedDownload() throws IOException {
        Path partial = cache.resolve("ggml-org/models/tinyllamas/stories260K.gguf.part");
        Files.createDirectories(partial.getParent());
        Files.write(partial, java.util.Arrays.copyOf(FILE, 123_456));
        Path path = downloader().resolve(STORIES, (b, t) -> {});
        assertThat(requests).containsExactly("/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf bytes=123456-");
        assertThat(Files.readAllBytes(path)).isEqualTo(FILE);
        assertThat(partial).doesNotExist();
    }

    @Test
    void namesAMissingFile() {
        assertThatThrownBy(() -> downloader().resolve(ModelReference.parse("hf:ggml-org/models/nope.gguf"), (b, t) -> {}))
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("no such file");
    }

    @Test
    void saysSoWhenThereIsNoNetwork() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var offline = new ModelDownloader(URI.create("http://127.0.0.1:" + closedPort), cache);
        assertThatThrownBy(() -> offline.resolve(STORIES, (b, t) -> {}))
                .hasMessageContaining("no network connection")
                .hasMessageContaining("--model");
    }

    @Test
    void rejectsMalformedReferences() {
        assertThatThrownBy(() -> ModelReference.parse("hf:only/two")).hasMessageContaining("hf:owner/repo/file.gguf");
        assertThat(ModelReference.parse("models/x.gguf")).isEqualTo(new ModelReference.LocalFile(Path.of("models/x.gguf")));
    }
}
