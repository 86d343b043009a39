package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Clients that walk away mid-stream, against the packaged jar: half close their socket normally,
 * half reset it (RST), which is what makes the server's next write fail. Nothing may be logged as
 * an error, every engine request must be aborted with its KV blocks freed, each disconnect counted
 * once, and the server's thread count must come back after the burst.
 */
class ClientDisconnectIT {
    private static final int STREAMS = 30;
    /** Threads the server may keep above its pre-burst count (JIT, GC and pool jitter). */
    private static final int THREAD_MARGIN = 6;
    private static final Pattern DISCONNECTS = Pattern.compile("(?m)^morphserve_client_disconnects_total(?:\\{[^}]*})? ([0-9.eE+-]+)$");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void streamsClosedMidwayAreAbortedCountedAndLeaveNoErrorsOrThreads() throws Exception {
        try (ServerProcess server = new ServerProcess("--model", SharedData.storiesGguf().toString(), "--context", "512")) {
            URI base = URI.create(server.baseUrl());
            // One of each request first, so that the burst meets a warm server (class loading, caches).
            assertThat(post(base, "/v1/completions", completionBody(4, false)).statusCode()).isEqualTo(200);
            assertThat(post(base, "/v1/chat/completions", chatBody(4, true)).statusCode()).isEqualTo(200);
            int threadsBefore = threads(server.pid());
            double disconnectsBefore = disconnects(base);

            AtomicInteger peakThreads = new AtomicInteger(threadsBefore);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> sampleThreads(server.pid(), peakThreads));
            ExecutorService clients = Executors.newFixedThreadPool(STREAMS);
            try {
                List<Future<Boolean>> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    boolean chat = i % 2 == 1;
                    boolean reset = i % 4 < 2;
                    streams.add(clients.submit(() -> readFirstFrameThenLeave(base, chat, reset)));
                }
                for (Future<Boolean> stream : streams) {
                    assertThat(stream.get(30, TimeUnit.SECONDS)).as("a stream sent its first frame").isTrue();
                }
            } finally {
                clients.shutdownNow();
            }

            await("every request aborted and every KV block free", Duration.ofSeconds(15), () -> {
                JsonNode morph = getJson(base, "/v1/morph");
                return morph.at("/queue/running").asInt() == 0 && morph.at("/queue/waiting").asInt() == 0
                        && morph.at("/kv_cache/free_blocks").asInt() == morph.at("/kv_cache/total_blocks").asInt();
            });
            await("the disconnects counted", Duration.ofSeconds(5), () -> disconnects(base) >= disconnectsBefore + STREAMS);
            assertThat(disconnects(base) - disconnectsBefore).as("each client counted once").isEqualTo(STREAMS);

            var after = post(base, "/v1/completions", completionBody(8, false));
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(after.body()).contains("\"completion_tokens\":8");

            long burstEnd = System.nanoTime();
            await("threads back within " + THREAD_MARGIN + " of " + threadsBefore + " (peak " + peakThreads.get() + ")",
                    Duration.ofSeconds(25), () -> threads(server.pid()) <= threadsBefore + THREAD_MARGIN);
            sampler.interrupt();
            System.out.printf("threads: %d before, %d at peak, %d after %.1f s%n", threadsBefore, peakThreads.get(), threads(server.pid()),
                    (System.nanoTime() - burstEnd) / 1e9);

            String log = server.log();
            assertThat(log.lines().filter(l -> l.contains(" ERROR ") || l.contains(" WARN ")).toList()).as("error and warning lines").isEmpty();
            assertThat(log.lines().filter(l -> l.startsWith("\tat ") || l.contains("Exception")).toList()).as("stack traces").isEmpty();
        }
    }

    /** Opens a stream, waits for its first SSE frame, then closes (or resets) the connection. */
    private static boolean readFirstFrameThenLeave(URI base, boolean chat, boolean reset) throws IOException {
        String path = chat ? "/v1/chat/completions" : "/v1/completions";
        // ignore_eos and a long answer: no stream can finish before its client leaves.
        byte[] body = (chat ? chatBody(400, true) : completionBody(400, true)).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (!seen.toString().contains("data: {")) {
                int n = in.read(buffer);
                if (n < 0) {
                    return false;
                }
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            if (reset) {
                socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
            }
            return seen.toString().startsWith("HTTP/1.1 200");
        }
    }

    private static String completionBody(int maxTokens, boolean stream) {
        return "{\"prompt\":\"Once upon a time\",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":" + stream + "}";
    }

    private static String chatBody(int maxTokens, boolean stream) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":" + maxTokens
                + ",\"ignore_eos\":true,\"stream\":" + stream + "}";
    }

    private HttpResponse<String> post(URI base, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(URI base, String path) throws IOException, InterruptedException {
        return json.readTree(http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private double disconnects(URI base) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = DISCONNECTS.matcher(metrics);
        assertThat(m.find()).as("morphserve_client_disconnects_total in /q/metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Live threads of the process, from the kernel's view (/proc/PID/status). */
    private static int threads(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Threads:"))
                .mapToInt(l -> Integer.parseInt(l.substring("Threads:".length()).trim()))
                .findFirst().orElseThrow();
    }

    private static void sampleThreads(long pid, AtomicInteger peak) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(threads(pid), Math::max);
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException stopped) {
            // the test is over or the server exited
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }
}
