package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.JarProcess;
import dev.morphserve.testing.SharedData;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code serve} from the packaged jar: loads the model and answers health. */
class ServeIT {

    @Test
    void serveLoadsModelAndReportsReady() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = JarProcess.builder("serve", "--model", SharedData.storiesGguf().toString(), "--port", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            HttpResponse<String> response = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && server.isAlive()) {
                try {
                    response = client.send(ready, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYetListening) {
                    // the server is still starting
                }
                Thread.sleep(200);
            }
            assertThat(response).as("server answered /q/health/ready").isNotNull();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"status\": \"UP\"").contains("stories260K.gguf");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }
}
