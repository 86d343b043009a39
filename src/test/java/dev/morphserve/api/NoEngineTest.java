package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** Without an engine bean (the fake is an alternative only its profile enables) the API starts and answers 503. */
@QuarkusTest
@QuarkusTestResource(SyntheticModelResource.class)
class NoEngineTest {

    @Test
    void endpointsAnswer503InTheErrorShape() {
        given().when().get("/v1/models").then().statusCode(503).body("error.code", equalTo("engine_unavailable"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"hi\"}").when().post("/v1/completions").then()
                .statusCode(503)
                .body("error.type", equalTo("server_error"));
    }
}
