package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.ServerProcess;
import dev.morphserve.testing.SharedData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code serve} from the packaged jar: loads the model, answers health and a completion. */
class ServeIT {

    @Test
    void serveLoadsModelReportsReadyAndCompletes() throws Exception {
        try (ServerProcess server = new ServerProcess("--model", SharedData.storiesGguf().toString(), "--context", "512")) {
            HttpClient client = HttpClient.newHttpClient();
            var health = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"status\": \"UP\"").contains("stories260K.gguf");
            var completion = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(completion.statusCode()).isEqualTo(200);
            assertThat(completion.body()).contains("\"completion_tokens\":8");
            assertThat(server.log()).contains("KV cache:").as("loopback unless --host says otherwise").contains("Listening on: http://127.0.0.1:");
        }
    }
}
