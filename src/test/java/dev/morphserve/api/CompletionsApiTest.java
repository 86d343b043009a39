package dev.morphserve.api;

import static dev.morphserve.api.FakeEngineClient.SCRIPT_TEXT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.morphserve.engine.SamplingParams;
import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class CompletionsApiTest {
    @Inject
    FakeEngineClient fake;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private io.restassured.response.ValidatableResponse complete(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/completions").then();
    }

    @Test
    void textPromptAnswersWithUsageAndSwappedTokens() {
        int promptTokens = fake.tokenizer().encode("hello", true).length;
        complete("{\"model\":\"tiny-f32.gguf\",\"prompt\":\"hello\",\"max_tokens\":5,\"user\":\"ignored\"}")
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("id", startsWith("cmpl-"))
                .body("object", equalTo("text_completion"))
                .body("model", equalTo("tiny-f32.gguf"))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].text", equalTo(" ba ca da ea fa"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("choices[0]", hasKey("logprobs"))
                .body("choices[0].logprobs", nullValue())
                .body("usage.prompt_tokens", equalTo(promptTokens))
                .body("usage.completion_tokens", equalTo(5))
                .body("usage.total_tokens", equalTo(promptTokens + 5))
                .body("usage.swapped_tokens", equalTo(2));
        assertThat(fake.lastRequest().promptTokens()).containsExactly(fake.tokenizer().encode("hello", true));
        assertThat(fake.lastRequest().maxTokens()).isEqualTo(5);
    }

    @Test
    void endOfSequenceFinishesWithStop() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":50}")
                .statusCode(200)
                .body("choices[0].text", equalTo(SCRIPT_TEXT))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.completion_tokens", equalTo(8));
    }

    @Test
    void ignoreEosRunsToMaxTokens() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":12,\"ignore_eos\":true}")
                .statusCode(200)
                .body("choices[0].text", equalTo(SCRIPT_TEXT + " ba ca da"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(12));
        assertThat(fake.lastRequest().ignoreEos()).isTrue();
    }

    @Test
    void defaultMaxTokensIsSixteen() {
        complete("{\"prompt\":\"hello\",\"ignore_eos\":true}").statusCode(200).body("usage.completion_tokens", equalTo(16));
    }

    @Test
    void promptAsTokenIds() {
        complete("{\"prompt\":[1,300,301],\"max_tokens\":2}")
                .statusCode(200)
                .body("usage.prompt_tokens", equalTo(3))
                .body("choices[0].text", equalTo(" ba ca"));
        assertThat(fake.lastRequest().promptTokens()).containsExactly(1, 300, 301);
    }

    @Test
    void samplingParametersReachTheEngine() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":1,\"temperature\":0.5,\"top_p\":0.9,\"top_k\":5,\"min_p\":0.1,\"seed\":42,"
                        + "\"repetition_penalty\":1.1,\"frequency_penalty\":0.5,\"presence_penalty\":-0.5,\"n\":1}")
                .statusCode(200);
        assertThat(fake.lastRequest().sampling()).isEqualTo(new SamplingParams(0.5f, 5, 0.9f, 0.1f, 42L, 1.1f, 0.5f, -0.5f));
    }

    @Test
    void unknownFieldsAreRefusedByNameNotDropped() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":1,\"some_future_option\":{\"x\":1}}").statusCode(400)
                .body("error.code", equalTo("unsupported_parameter")).body("error.param", equalTo("some_future_option"));
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void stopStringEndsTheTextAndAbortsTheEngineRequest() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":50,\"stop\":\"da\"}")
                .statusCode(200)
                .body("choices[0].text", equalTo(" ba ca "))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.completion_tokens", equalTo(3));
        Polling.until(() -> fake.wasCancelled(fake.lastRequest().requestId()), "engine saw the abort");
    }

    @Test
    void earliestOfSeveralStopStringsWins() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":50,\"stop\":[\"zz\",\" ga\",\" ea\"]}")
                .statusCode(200)
                .body("choices[0].text", equalTo(" ba ca da"))
                .body("choices[0].finish_reason", equalTo("stop"));
    }

    @Test
    void stopStringThatNeverMatchesChangesNothing() {
        complete("{\"prompt\":\"hello\",\"max_tokens\":4,\"stop\":[\"zz\"]}")
                .statusCode(200)
                .body("choices[0].text", equalTo(" ba ca da ea"))
                .body("choices[0].finish_reason", equalTo("length"));
    }
}
