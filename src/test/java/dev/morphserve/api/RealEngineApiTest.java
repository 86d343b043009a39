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
    void greedyChoicesAreIdenticalAndEqualToOneChoice() {
        String one = complete(new int[] {1, 300, 301, 302}, 10);
        var two = given().contentType(ContentType.JSON)
                .body("{\"prompt\":[1,300,301,302],\"max_tokens\":10,\"temperature\":0,\"ignore_eos\":true,\"n\":2}")
                .when().post("/v1/completions").then().statusCode(200)
                .body("usage.completion_tokens", equalTo(20))
                .body("usage.prompt_tokens", equalTo(4))
                .extract().jsonPath();
        assertThat(two.getList("choices.text")).containsExactly(one, one);
        assertThat(two.getList("choices.index")).containsExactly(0, 1);
    }

    @Test
    void greedyLogprobsPutTheSampledTokenFirstAndEchoScoresThePrompt() {
        var response = given().contentType(ContentType.JSON)
                .body("{\"prompt\":[1,300,301,302],\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true,\"logprobs\":3,\"echo\":true}")
                .when().post("/v1/completions").then().statusCode(200)
                .extract().jsonPath();
        List<Float> logprobs = response.getList("choices[0].logprobs.token_logprobs");
        assertThat(logprobs).hasSize(4 + 5);
        assertThat(logprobs.getFirst()).as("the first prompt token has no context").isNull();
        assertThat(logprobs.subList(1, logprobs.size())).allSatisfy(lp -> assertThat(lp).isNotNull().isLessThanOrEqualTo(0f));
        List<String> tokens = response.getList("choices[0].logprobs.tokens");
        for (int i = 4; i < tokens.size(); i++) {
            java.util.Map<String, Float> top = response.getMap("choices[0].logprobs.top_logprobs[" + i + "]");
            // greedy: the sampled token is the most likely of its alternatives
            assertThat(top.get(tokens.get(i))).isEqualTo(top.values().stream().max(Float::compare).orElseThrow());
            assertThat(top.get(tokens.get(i))).isEqualTo(logprobs.get(i));
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
