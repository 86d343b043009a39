package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The API over the real continuous-batching engine: concurrent greedy completions return exactly
 * what the same requests return one at a time.
 */
@QuarkusTest
@QuarkusTestResource(SyntheticModelResource.class)
class RealEngineApiTest {

    private static String body(int[] prompt, int maxTokens) {
        return "{\"prompt\":" + java.util.Arrays.toString(prompt) + ",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"ignore_eos\":true}";
    }

    private static String complete(int[] prompt, int maxTokens) {
        return given().contentType(ContentType.JSON).body(body(prompt, maxTokens))
                .when().post("/v1/completions").then().statusCode(200)
                .body("usage.completion_tokens", equalTo(maxTokens))
                .extract().path("choices[0].text").toString();
    }

    @Test
    void concurrentGreedyCompletionsEqualSequentialOnes() throws Exception {
        List<int[]> prompts = List.of(new int[] {1, 300, 301, 302}, new int[] {1, 280, 290}, new int[] {1, 310, 311, 312, 313, 314},
                new int[] {1, 270}, new int[] {1, 299, 298, 297, 296});
        int maxTokens = 12;
        List<String> sequential = prompts.stream().map(p -> complete(p, maxTokens)).toList();
        var concurrent = prompts.stream().map(p -> CompletableFuture.supplyAsync(() -> complete(p, maxTokens))).toList();
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(concurrent.get(i).get()).as("request %d", i).isEqualTo(sequential.get(i)).isNotEmpty();
        }
    }
    @Test
    void engineMetricsAreExported() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("morphserve_num_requests_running")
                .contains("morphserve_num_requests_waiting")
                .contains("morphserve_kv_cache_usage_perc")
                .contains("morphserve_num_preemptions_total");
    }
}
