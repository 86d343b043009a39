package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class ModelsAndMetricsApiTest {
    @Inject
    FakeEngineClient fake;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    @Test
    void modelsListsTheServedModel() {
        given().when().get("/v1/models").then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data", hasSize(1))
                .body("data[0].id", equalTo("tiny-f32.gguf"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("morphserve"))
                .body("data[0].max_model_len", equalTo(fake.modelConfig().contextLength()));
    }

    @Test
    void requestMetricsAreExportedUnderTheirPrometheusNames() {
        double generatedBefore = value(metrics(), "morphserve_generation_tokens_total");
        double lengthBefore = value(metrics(), "morphserve_request_success_total{finished_reason=\"length\"}");
        double atZeroBefore = value(metrics(), "morphserve_generation_tokens_by_swapped_layers_total{swapped_layers=\"0\"}");
        double atOneBefore = value(metrics(), "morphserve_generation_tokens_by_swapped_layers_total{swapped_layers=\"1\"}");
        given().contentType(ContentType.JSON).body("{\"prompt\":\"hello\",\"max_tokens\":5}").post("/v1/completions").then().statusCode(200);

        String text = metrics();
        for (String histogram : new String[] {
            "morphserve_time_to_first_token_seconds", "morphserve_inter_token_latency_seconds",
            "morphserve_e2e_request_latency_seconds", "morphserve_request_queue_time_seconds"}) {
            assertThat(text).contains("# TYPE " + histogram + " histogram");
            assertThat(text).contains(histogram + "_bucket{le=\"");
            assertThat(text).contains(histogram + "_count");
        }
        for (String counter : new String[] {"morphserve_prompt_tokens_total", "morphserve_generation_tokens_total", "morphserve_swapped_tokens_total"}) {
            assertThat(text).containsPattern("(?m)^" + counter + " \\S+$");
        }
        assertThat(text).contains("morphserve_request_success_total{finished_reason=\"stop\"}");
        assertThat(text).contains("morphserve_request_success_total{finished_reason=\"abort\"}");
        assertThat(value(text, "morphserve_generation_tokens_total")).isEqualTo(generatedBefore + 5);
        assertThat(value(text, "morphserve_request_success_total{finished_reason=\"length\"}")).isEqualTo(lengthBefore + 1);
        // the fake engine runs every second token with one layer swapped: tokens 0, 2, 4 at 0 and 1, 3 at 1
        assertThat(value(text, "morphserve_generation_tokens_by_swapped_layers_total{swapped_layers=\"0\"}")).isEqualTo(atZeroBefore + 3);
        assertThat(value(text, "morphserve_generation_tokens_by_swapped_layers_total{swapped_layers=\"1\"}")).isEqualTo(atOneBefore + 2);
        assertThat(value(text, "morphserve_request_queue_time_seconds_sum")).isGreaterThan(0);
    }

    private static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
