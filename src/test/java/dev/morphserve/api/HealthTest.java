package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SyntheticModelResource.class)
class HealthTest {

    @Test
    void readyOnceModelIsLoaded() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("model"))
                .body("checks[0].data.layers", equalTo(2));
    }
}
