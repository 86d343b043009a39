package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SyntheticModelResource.class)
class MorphResourceTest {
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private static io.restassured.response.ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/morph").then();
    }

    @ConfigProperty(name = "morphserve.model")
    String modelPath;

    @Test
    void stateShowsNoServerPaths() {
        String body = given().get("/v1/morph").then().statusCode(200).extract().asString();
        String directory = java.nio.file.Path.of(modelPath).getParent().toString();
        assertThat(body).contains("swap_order_source").doesNotContain(directory);
    }

    @Test
    void stateNamesTheBackendWhoseMemoryItShows() {
        // AUTO picks the CPU here, CUDA where a driver answers (the stand-in's test JVM): the host's memory is the CPU's.
        io.restassured.path.json.JsonPath state = given().get("/v1/morph").then().statusCode(200).extract().jsonPath();
        assertThat(state.getString("backend")).isEqualTo(state.getString("device.device").equals("host") ? "cpu" : "cuda");
    }

    @Test
    void manualSwapsChangePrecisionAndKvCapacityAndUnsafeOnesAreRefused() throws Exception {
        post("{\"mode\":\"performance\"}").statusCode(200).body("mode", equalTo("performance"));
        int blocksBefore = given().get("/v1/morph").then().statusCode(200)
                .body("layers[1].state", equalTo("resident"))
                .body("layers[1].precision", equalTo("F32"))
                .body("budget.budget_bytes", greaterThan(0))
                .extract().path("kv_cache.total_blocks");

        // Watch the SSE stream of applied events while swapping.
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<Stream<String>> sse = client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/morph/events")).build(),
                        HttpResponse.BodyHandlers.ofLines())
                .thenApply(HttpResponse::body);
        Thread.sleep(300); // let the subscription reach the event bus

        // Each swap answers when it is applied: the variant was copied in and switched at a step boundary.
        post("{\"action\":\"swap_down\",\"layer\":1}").statusCode(200)
                .body("outcome", equalTo("applied")).body("action", equalTo("swap_down"))
                .body("from_type", equalTo("F32")).body("to_type", equalTo("Q8_0"));
        int blocksSwapped = given().get("/v1/morph").then().log().ifValidationFails()
                .body("layers[1].state", equalTo("swapped"))
                .body("layers[1].precision", equalTo("Q8_0"))
                .body("swapped_layers", hasItem(1))
                .body("kv_cache.total_blocks", greaterThan(blocksBefore))
                .body("budget.within_budget", equalTo(true))
                .extract().path("kv_cache.total_blocks");
        assertThat(given().get("/q/metrics").then().extract().asString())
                .contains("morphserve_layer_level{layer=\"1\"} 1.0").contains("morphserve_layer_level{layer=\"0\"} 0.0");
        post("{\"action\":\"swap_down\",\"layer\":1}").statusCode(200).body("to_type", equalTo("Q4_0"));
        post("{\"action\":\"swap_down\",\"layer\":1}").statusCode(409).body("error.code", equalTo("morph_refused"))
                .body("error.message", org.hamcrest.Matchers.containsString("lowest level"));

        post("{\"action\":\"swap_up\",\"layer\":1}").statusCode(200).body("outcome", equalTo("applied")).body("to_type", equalTo("Q8_0"));
        post("{\"action\":\"swap_up\",\"layer\":1}").statusCode(200).body("to_type", equalTo("F32"));
        given().contentType(ContentType.JSON).body("{\"action\":\"kv_shrink\"}").post("/v1/morph"); // idle chunks, if any are left
        given().get("/v1/morph").then().body("layers[1].state", equalTo("resident"))
                .body("kv_cache.total_blocks", equalTo(blocksBefore)).body("budget.within_budget", equalTo(true));
        assertThat(blocksSwapped).isGreaterThan(blocksBefore);

        String first = sse.get().filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
        assertThat(first).contains("\"action\":\"swap_down\"").contains("\"layer\":1").contains("\"outcome\":\"accepted\"");

        String metrics = given().get("/q/metrics").then().extract().asString();
        assertThat(metrics).contains("morphserve_swapped_layers").contains("morphserve_layer_swaps_total{direction=\"down\"}")
                .contains("morphserve_memory_bytes{part=\"budget\"}").contains("morphserve_swap_latency_seconds");
        post("{\"mode\":\"off\"}").statusCode(200);
        post("{\"action\":\"swap_down\",\"layer\":1}").statusCode(409)
                .body("error.message", org.hamcrest.Matchers.containsString("mode off"));
    }

    @Test
    void badMorphRequestsNameTheProblem() {
        post("{\"mode\":\"turbo\"}").statusCode(400).body("error.param", equalTo("mode"));
        post("{\"action\":\"swap_down\",\"layer\":99}").statusCode(400).body("error.param", equalTo("layer"));
        post("{\"action\":\"explode\",\"layer\":0}").statusCode(400).body("error.param", equalTo("action"));
        post("{}").statusCode(400);
    }
}
