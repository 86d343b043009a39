package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A page on another site can make its visitors' browsers POST here without asking: with no
 * Content-Type (or a form type) there is no CORS preflight. Such requests must change nothing.
 */
@QuarkusTest
@TestProfile(CrossSiteApiTest.AllowOne.class)
@QuarkusTestResource(SyntheticModelResource.class)
class CrossSiteApiTest {
    static final String FRIEND = "https://chat.example.com";

    public static class AllowOne implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("morphserve.allowed-origins", FRIEND);
        }
    }

    @TestHTTPResource("/")
    URL root;

    /** RestAssured adds a Content-Type of its own unless told not to. */
    private static final RestAssuredConfig RAW = RestAssuredConfig.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private static String mode() {
        return given().get("/v1/morph").then().statusCode(200).extract().path("mode");
    }

    @Test
    void aForeignPageCannotSwitchTheMorphMode() {
        String before = mode();
        String target = before.equals("performance") ? "accuracy" : "performance";
        given().config(RAW).header("Origin", "https://evil.example").body("{\"mode\":\"" + target + "\"}")
                .post("/v1/morph").then().statusCode(403).body("error.code", equalTo("origin_not_allowed"));
        given().config(RAW).header("Origin", "https://evil.example").contentType("application/json").body("{\"mode\":\"" + target + "\"}")
                .post("/v1/morph").then().statusCode(403);
        given().config(RAW).header("Origin", "null").contentType("application/json").body("{\"mode\":\"" + target + "\"}")
                .post("/v1/morph").then().statusCode(403);
        assertMode(before);
    }

    @Test
    void stateChangesNeedJsonEvenWithoutAnOrigin() {
        String before = mode();
        String target = before.equals("performance") ? "accuracy" : "performance";
        given().config(RAW).body("{\"mode\":\"" + target + "\"}").post("/v1/morph").then().statusCode(415)
                .body("error.code", equalTo("unsupported_media_type"));
        given().config(RAW).contentType("text/plain").body("{\"mode\":\"" + target + "\"}").post("/v1/morph").then().statusCode(415);
        given().config(RAW).contentType("application/x-www-form-urlencoded").body("{\"mode\":\"" + target + "\"}")
                .post("/v1/morph").then().statusCode(415);
        given().config(RAW).body("{\"prompt\":\"hi\",\"max_tokens\":1}").post("/v1/completions").then().statusCode(415);
        assertMode(before);
    }

    @Test
    void sameOriginAndConfiguredOriginsAreServed() {
        String before = mode();
        given().header("Origin", "http://" + root.getHost() + ":" + root.getPort()).contentType("application/json").body("{\"mode\":\"" + before + "\"}")
                .post("/v1/morph").then().statusCode(200);
        given().header("Origin", FRIEND).contentType("application/json; charset=utf-8").body("{\"mode\":\"" + before + "\"}")
                .post("/v1/morph").then().statusCode(200);
        given().header("Origin", "https://evil.example").get("/v1/morph").then().statusCode(200); // reads are not state changes
    }

    private static void assertMode(String expected) {
        given().get("/v1/morph").then().body("mode", equalTo(expected));
    }
}
