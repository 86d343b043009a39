package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bodies a careless or hostile client sends: every one gets a 400 whose message names the
 * field and the reason in JSON's words, never a bare status line, a Jackson hint or a Java
 * class name; and nothing is accepted with a field silently dropped or coerced.
 */
@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class ExactErrorsApiTest {
    @Inject
    FakeEngineClient fake;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    /** What no client-facing message may contain: internals, or the generic status line. */
    private static void assertClean(ValidatableResponse response) {
        response.body("error.message", allOf(
                not(containsString("dev.morphserve")), not(containsString("java.")), not(containsString("`")),
                not(containsString("HTTP 400")), not(containsString("Source:")), not(containsString("jackson"))));
    }

    @ParameterizedTest(name = "{0} -> {1} / {2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "{\"prompt\":\"hi\",\"max_tokens\":1.5}                 | max_tokens        | invalid_type          | integer",
        "{\"prompt\":\"hi\",\"max_tokens\":\"5\"}               | max_tokens        | invalid_type          | integer",
        "{\"prompt\":\"hi\",\"max_tokens\":99999999999}         | max_tokens        | invalid_value         | range",
        "{\"prompt\":\"hi\",\"seed\":1e30}                      | seed              | invalid_type          | integer",
        "{\"prompt\":\"hi\",\"temperature\":NaN}                | temperature       | invalid_json          | NaN",
        "{\"prompt\":\"hi\",\"top_p\":-Infinity}                | top_p             | invalid_json          | Infinity",
        "{\"prompt\":\"hi\",\"temperature\":1e400}               | temperature       | invalid_value         | temperature",
        "{\"prompt\":\"hi\",\"stream\":1}                       | stream            | invalid_type          | boolean",
        "{\"prompt\":\"hi\",\"stream_options\":5}               | stream_options    | invalid_type          | object",
        "{\"prompt\":\"hi\",\"stream_options\":{\"include_usage\":\"y\"}} | stream_options.include_usage | invalid_type | boolean",
        "{\"prompt\":\"hi\",\"model\":5}                        | model             | invalid_type          | string",
        "{\"prompt\":\"hi\",\"prompt\":\"again\"}               | prompt            | invalid_json          | duplicate",
        "{\"prompt\":\"hi\",\"temperature\":}                   | temperature       | invalid_json          | line 1",
        "{\"prompt\":\"hi\"} {\"x\":1}                       |                   | invalid_json          | after the JSON",
        "[1,2]                                                  |                   | invalid_type          | JSON object",
        "\"hi\"                                                 |                   | invalid_type          | JSON object",
        "{\"prompt\":\"hi\",\"frobnicate\":1}                   | frobnicate        | unsupported_parameter | frobnicate",
        "{\"prompt\":\"hi\",\"suffix\":\"x\"}                   | suffix            | unsupported_parameter | suffix",
        "{\"prompt\":\"hi\",\"best_of\":3}                      | best_of           | unsupported_parameter | best_of",
    })
    void completionsNameTheFieldAndTheReason(String body, String param, String code, String mentions) {
        ValidatableResponse response = post("/v1/completions", body).statusCode(400).contentType(ContentType.JSON)
                .body("error.code", equalTo(code))
                .body("error.message", containsString(mentions))
                .body("error.param", param == null ? nullValue() : equalTo(param));
        assertClean(response);
    }

    @ParameterizedTest(name = "{0} -> {1} / {2}")
    @CsvSource(delimiter = '|', value = {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]} | tools | unsupported_parameter",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":\"required\"} | tool_choice | unsupported_parameter",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_object\"}} | response_format | unsupported_parameter",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"functions\":[{\"name\":\"f\"}]} | functions | unsupported_parameter",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":2.5} | max_completion_tokens | invalid_type",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"colour\":\"red\"}]} | messages[0].colour | unsupported_parameter",
        "{\"messages\":[{\"role\":5,\"content\":\"hi\"}]} | messages[0].role | invalid_type",
        "{\"messages\":{\"role\":\"user\"}} | messages | invalid_type",
    })
    void chatNamesTheFieldAndTheReason(String body, String param, String code) {
        ValidatableResponse response = post("/v1/chat/completions", body).statusCode(400).contentType(ContentType.JSON)
                .body("error.code", equalTo(code))
                .body("error.param", equalTo(param))
                .body("error.message", containsString(param));
        assertClean(response);
    }

    @Test
    void noOpValuesOfUnsupportedParametersAreAccepted() {
        // What SDKs send by default must not fail: text output, no tools, best_of equal to n.
        post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,"
                + "\"response_format\":{\"type\":\"text\"},\"tool_choice\":\"none\",\"tools\":[]}").statusCode(200);
        post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2,\"best_of\":1,\"suffix\":null,\"user\":\"u1\"}").statusCode(200);
    }

    @Test
    void morphCommandsAreStrictToo() {
        ValidatableResponse response = post("/v1/morph", "{\"mode\":\"performance\",\"force\":true}").statusCode(400)
                .body("error.param", equalTo("force")).body("error.code", equalTo("unsupported_parameter"));
        assertClean(response);
    }
}
