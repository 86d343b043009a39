package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A swap whose copy outlasts {@code morph.manual-wait} is answered 202 with its command id, never
 * 200 while the layer is still moving; the events then report that id applied. An idle engine
 * passes a boundary at most every 100 ms and a switch never happens in the boundary its copy
 * began in, so a 1 ms wait always ends first.
 */
@QuarkusTest
@QuarkusTestResource(SyntheticModelResource.class)
@TestProfile(MorphAcceptedTest.ShortWait.class)
class MorphAcceptedTest {

    public static final class ShortWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("morphserve.morph.manual-wait", "1ms");
        }
    }

    @Test
    void aSwapStillCopyingIsAcceptedWithAnIdThatTheEventsReportApplied() throws Exception {
        given().contentType(ContentType.JSON).body("{\"mode\":\"manual\"}").post("/v1/morph").then().statusCode(200);
        int id = given().contentType(ContentType.JSON).body("{\"action\":\"swap_down\",\"layer\":0}").post("/v1/morph").then()
                .statusCode(202).body("status", equalTo("accepted")).body("action", equalTo("swap_down"))
                .extract().path("id");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && !"swapped".equals(given().get("/v1/morph").then().extract().path("layers[0].state"))) {
            Thread.sleep(20);
        }
        List<Map<String, Object>> events = given().get("/v1/morph").then().body("swapped_layers", hasItem(0))
                .extract().path("recent_events");
        org.assertj.core.api.Assertions.assertThat(events)
                .anyMatch(e -> ((Number) e.get("command_id")).intValue() == id && "applied".equals(e.get("outcome"))
                        && "swap_down".equals(e.get("action")));
    }
}
