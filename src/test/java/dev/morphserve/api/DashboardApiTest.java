package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard at {@code GET /}: page and assets load without a key on a server that has keys
 * (they hold no data), every file they reference is served, and opening them opened nothing else.
 */
@QuarkusTest
@TestProfile(AccessApiTest.Keys.class)
@QuarkusTestResource(SyntheticModelResource.class)
class DashboardApiTest {
    private static final Pattern HTML_REFERENCE = Pattern.compile("(?:src|href)=\"(dashboard/[^\"]+)\"");
    private static final Pattern MODULE_IMPORT = Pattern.compile("from '\\./([^']+)'");

    @Test
    void thePageLoadsWithoutAKey() {
        given().get("/").then().statusCode(200)
                .contentType(startsWith("text/html"))
                .body(containsString("<title>MorphServe-J</title>"))
                .body(containsString("id=\"layers\""));
    }

    @Test
    void everyFileThePageAndItsModulesReferenceIsServedWithoutAKey() {
        String page = given().get("/").then().statusCode(200).extract().asString();
        List<String> referenced = matches(HTML_REFERENCE, page);
        assertThat(referenced).contains("dashboard/app.js", "dashboard/vendor/uplot/uPlot.iife.min.js", "dashboard/vendor/uplot/uPlot.min.css");
        for (String path : referenced) {
            given().get("/" + path).then().statusCode(200);
        }
        String app = given().get("/dashboard/app.js").then().statusCode(200)
                .contentType(containsString("javascript")).extract().asString();
        List<String> modules = matches(MODULE_IMPORT, app);
        assertThat(modules).contains("access.js", "events.js");
        for (String module : modules) {
            given().get("/dashboard/" + module).then().statusCode(200).contentType(containsString("javascript"));
        }
        given().get("/dashboard/vendor/uplot/uPlot.iife.min.js").then().statusCode(200).body(containsString("uPlot"));
    }

    @Test
    void theOpenDashboardPathsOpenNoData() {
        // Dot segments must not carry a request out of the open prefix into the API.
        given().get("/dashboard/../v1/morph").then().statusCode(anyOf(is(401), is(404))).body(not(containsString("layers")));
        given().urlEncodingEnabled(false).get("/dashboard/%2e%2e/v1/morph").then().statusCode(anyOf(is(401), is(404)))
                .body(not(containsString("layers")));
        given().get("/v1/morph").then().statusCode(401);
        given().get("/index.html").then().statusCode(200);
    }

    private static List<String> matches(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.results().map(r -> r.group(1)).toList();
    }
}
