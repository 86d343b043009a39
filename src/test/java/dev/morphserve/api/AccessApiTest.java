package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API keys, the admin key for state changes, and the routes that stay open. */
@QuarkusTest
@TestProfile(AccessApiTest.Keys.class)
@QuarkusTestResource(SyntheticModelResource.class)
class AccessApiTest {
    static final String KEY = "sk-test-1";
    static final String OTHER_KEY = "sk-test-2";
    static final String ADMIN = "sk-admin";

    public static class Keys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("morphserve.api-keys", KEY + "," + OTHER_KEY, "morphserve.admin-api-keys", ADMIN);
        }
    }

    private static RequestSpecification as(String key) {
        RequestSpecification spec = given().contentType(ContentType.JSON);
        return key == null ? spec : spec.header("Authorization", "Bearer " + key);
    }

    private static final String PROMPT = "{\"prompt\":\"Once\",\"max_tokens\":2,\"temperature\":0}";

    @Test
    void completionsNeedAKeyAndAnswer401InOpenAisShape() {
        as(null).body(PROMPT).post("/v1/completions").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.message", equalTo("Missing API key: send it as 'Authorization: Bearer <key>'"));
        as("sk-wrong").body(PROMPT).post("/v1/completions").then().statusCode(401)
                .body("error.message", equalTo("Incorrect API key provided"));
        given().contentType(ContentType.JSON).header("Authorization", "Basic " + KEY).body(PROMPT)
                .post("/v1/completions").then().statusCode(401);
        as(KEY).body(PROMPT).post("/v1/completions").then().statusCode(200);
        as(OTHER_KEY).body(PROMPT).post("/v1/completions").then().statusCode(200);
        given().contentType(ContentType.JSON).header("Authorization", "bearer " + KEY).body(PROMPT)
                .post("/v1/completions").then().statusCode(200);
        as(null).get("/v1/models").then().statusCode(401);
        as(KEY).get("/v1/models").then().statusCode(200);
    }

    @Test
    void healthAndMetricsStayOpenMorphEventsDoNot() {
        as(null).get("/q/health/live").then().statusCode(200);
        as(null).get("/q/metrics").then().statusCode(200);
        as(null).get("/v1/morph/events").then().statusCode(401);
        as(null).get("/v1/morph").then().statusCode(401);
        as(KEY).get("/v1/morph").then().statusCode(200);
    }

    @Test
    void stateChangesNeedTheAdminKey() {
        String mode = as(KEY).get("/v1/morph").then().extract().path("mode");
        as(KEY).body("{\"mode\":\"performance\"}").post("/v1/morph").then().statusCode(403)
                .body("error.code", equalTo("insufficient_permissions"));
        as(null).body("{\"mode\":\"performance\"}").post("/v1/morph").then().statusCode(401);
        as(KEY).get("/v1/morph").then().body("mode", equalTo(mode));
        as(ADMIN).body("{\"mode\":\"performance\"}").post("/v1/morph").then().statusCode(200).body("mode", equalTo("performance"));
        as(ADMIN).body("{\"mode\":\"" + mode + "\"}").post("/v1/morph").then().statusCode(200);
    }
}
