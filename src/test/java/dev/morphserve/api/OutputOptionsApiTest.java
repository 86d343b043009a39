package dev.morphserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.engine.LogitBias;
import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * n, logit_bias, logprobs and echo through both endpoints over the fake engine: validation, what
 * reaches the engine, and the response shapes (OpenAI's), streamed and not.
 */
@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class OutputOptionsApiTest {
    @Inject
    FakeEngineClient fake;

    @TestHTTPResource("/v1/completions")
    URI completions;

    @TestHTTPResource("/v1/chat/completions")
    URI chat;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "{\"abc\":1}", "{\"-1\":1}", "{\"100000\":1}", "{\"5\":101}", "{\"5\":-100.5}", "{\"5\":\"1\"}"})
    void badLogitBiasIsRefusedNamingTheField(String bias) {
        for (String path : List.of("/v1/completions", "/v1/chat/completions")) {
            String body = path.contains("chat") ? "{" + MESSAGES + ",\"logit_bias\":" + bias + "}" : "{\"prompt\":\"hi\",\"logit_bias\":" + bias + "}";
            post(path, body).statusCode(400).body("error.param", equalTo("logit_bias")).body("error.type", equalTo("invalid_request_error"));
        }
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void logitBiasReachesTheEngine() {
        post("/v1/completions", "{\"prompt\":\"hi\",\"logit_bias\":{\"7\":-100,\"5\":10.5}}").statusCode(200);
        assertThat(fake.lastRequest().sampling().logitBias()).isEqualTo(LogitBias.of(Map.of(5, 10.5f, 7, -100f)));
        post("/v1/chat/completions", "{" + MESSAGES + ",\"logit_bias\":{\"3\":100}}").statusCode(200);
        assertThat(fake.lastRequest().sampling().logitBias()).isEqualTo(LogitBias.of(Map.of(3, 100f)));
        post("/v1/chat/completions", "{" + MESSAGES + "}").statusCode(200);
        assertThat(fake.lastRequest().sampling().logitBias()).isEqualTo(LogitBias.NONE);
    }

    @Test
    void outOfRangeCountsAreRefusedNamingTheField() {
        post("/v1/completions", "{\"prompt\":\"hi\",\"n\":0}").statusCode(400).body("error.param", equalTo("n"));
        post("/v1/completions", "{\"prompt\":\"hi\",\"n\":17}").statusCode(400).body("error.param", equalTo("n"));
        post("/v1/chat/completions", "{" + MESSAGES + ",\"n\":17}").statusCode(400).body("error.param", equalTo("n"));
        post("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":21}").statusCode(400).body("error.param", equalTo("logprobs"));
        post("/v1/completions", "{\"prompt\":\"hi\",\"logprobs\":-1}").statusCode(400).body("error.param", equalTo("logprobs"));
        post("/v1/chat/completions", "{" + MESSAGES + ",\"logprobs\":true,\"top_logprobs\":21}").statusCode(400)
                .body("error.param", equalTo("top_logprobs"));
        post("/v1/chat/completions", "{" + MESSAGES + ",\"top_logprobs\":2}").statusCode(400)
                .body("error.param", equalTo("top_logprobs")).body("error.message", containsString("logprobs"));
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void completionLogprobsListTokensLogprobsAlternativesAndOffsets() {
        post("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":3,\"logprobs\":2}")
                .statusCode(200)
                .body("choices[0].text", equalTo(" ba ca da"))
                .body("choices[0].logprobs.tokens", contains(" ba", " ca", " da"))
                .body("choices[0].logprobs.token_logprobs", contains(-0.5f, -0.5f, -0.5f))
                .body("choices[0].logprobs.text_offset", contains(0, 3, 6))
                .body("choices[0].logprobs.top_logprobs[0]", equalTo(Map.of(" ba", -0.5f, " ca", -2f)))
                .body("choices[0].logprobs.top_logprobs[2]", equalTo(Map.of(" da", -0.5f, " ea", -2f)));
        assertThat(fake.lastRequest().sampling().logprobs()).isEqualTo(2);
        assertThat(fake.lastRequest().promptLogprobs()).as("no echo, no prompt logprobs").isEqualTo(-1);
        // logprobs 0: the sampled token alone
        post("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":1,\"logprobs\":0}")
                .statusCode(200)
                .body("choices[0].logprobs.top_logprobs[0]", equalTo(Map.of(" ba", -0.5f)));
    }

    @Test
    void chatLogprobsCarryBytesAndTopAlternatives() {
        post("/v1/chat/completions", "{" + MESSAGES + ",\"max_tokens\":2,\"logprobs\":true,\"top_logprobs\":2}")
                .statusCode(200)
                .body("choices[0].message.content", equalTo(" ba ca"))
                .body("choices[0].logprobs.content", hasSize(2))
                .body("choices[0].logprobs.content[0].token", equalTo(" ba"))
                .body("choices[0].logprobs.content[0].logprob", equalTo(-0.5f))
                .body("choices[0].logprobs.content[0].bytes", contains(32, 98, 97))
                .body("choices[0].logprobs.content[0].top_logprobs.token", contains(" ba", " ca"))
                .body("choices[0].logprobs.content[0].top_logprobs.logprob", contains(-0.5f, -2f))
                .body("choices[0].logprobs.content[1].top_logprobs[1].bytes", contains(32, 100, 97));
        post("/v1/chat/completions", "{" + MESSAGES + ",\"max_tokens\":2,\"logprobs\":true}")
                .statusCode(200)
                .body("choices[0].logprobs.content[0].top_logprobs", hasSize(0));
        post("/v1/chat/completions", "{" + MESSAGES + ",\"max_tokens\":2,\"logprobs\":false}").statusCode(200).body("choices[0].logprobs", nullValue());
    }

    @Test
    void nChoicesHaveTheirOwnTextFinishAndSummedUsage() {
        int promptTokens = fake.tokenizer().encode("hello", true).length;
        post("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":3,\"n\":2}")
                .statusCode(200)
                .body("choices.index", contains(0, 1))
                .body("choices[0].text", equalTo(" ba ca da"))
                .body("choices[1].text", equalTo(" ca da ea"))
                .body("choices.finish_reason", contains("length", "length"))
                .body("usage.prompt_tokens", equalTo(promptTokens))
                .body("usage.completion_tokens", equalTo(6))
                .body("usage.total_tokens", equalTo(promptTokens + 6));
        assertThat(fake.lastRequest().n()).isEqualTo(2);
        // Choice 1's script reaches EOS after 7 pieces, choice 0's after 8: each its own finish_reason.
        post("/v1/chat/completions", "{" + MESSAGES + ",\"max_tokens\":8,\"n\":2}")
                .statusCode(200)
                .body("choices.message.content", contains(FakeEngineClient.SCRIPT_TEXT, " ca da ea fa ga ha ia"))
                .body("choices.finish_reason", contains("length", "stop"))
                .body("usage.completion_tokens", equalTo(15));
    }

    @Test
    void stopStringsApplyPerChoice() {
        post("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":8,\"n\":2,\"stop\":\" ea\",\"logprobs\":0}")
                .statusCode(200)
                .body("choices[0].text", equalTo(" ba ca da"))
                .body("choices[1].text", equalTo(" ca da"))
                .body("choices.finish_reason", contains("stop", "stop"))
                // logprobs cover every token up to the one that completed the stop string
                .body("choices[0].logprobs.tokens", contains(" ba", " ca", " da", " ea"))
                .body("choices[1].logprobs.tokens", contains(" ca", " da", " ea"));
    }

    @Test
    void echoPutsThePromptFirstWithItsLogprobs() {
        post("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":2,\"echo\":true}")
                .statusCode(200)
                .body("choices[0].text", equalTo("hello ba ca"))
                .body("choices[0].logprobs", nullValue());
        int[] prompt = fake.tokenizer().encode("hello", true);
        var response = post("/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":2,\"echo\":true,\"logprobs\":1,\"n\":2}")
                .statusCode(200)
                .body("choices[1].text", equalTo("hello ca da"))
                .body("choices[0].logprobs.token_logprobs[0]", nullValue())
                .body("choices[0].logprobs.top_logprobs[0]", nullValue())
                .body("choices[0].logprobs.token_logprobs", hasSize(prompt.length + 2))
                .body("choices[0].logprobs.token_logprobs[1]", equalTo(-2f))
                .body("choices[0].logprobs.token_logprobs[" + prompt.length + "]", equalTo(-0.5f))
                .body("choices[1].logprobs.tokens[" + prompt.length + "]", equalTo(" ca"))
                .extract().jsonPath();
        List<String> tokens = response.getList("choices[0].logprobs.tokens");
        assertThat(String.join("", tokens)).isEqualTo("hello ba ca");
        List<Integer> offsets = response.getList("choices[0].logprobs.text_offset");
        assertThat(offsets.get(prompt.length)).isEqualTo("hello".length());
        assertThat(fake.lastRequest().promptLogprobs()).isEqualTo(1);
    }

    /** Per choice index: the concatenated text at {@code textPointer} and the finish reasons. */
    private record Streamed(Map<Integer, String> text, Map<Integer, List<String>> finishReasons, Map<Integer, List<String>> tokens) {}

    private static Streamed collect(List<JsonNode> events, String textPointer, String tokenPointer) {
        Map<Integer, String> text = new java.util.TreeMap<>();
        Map<Integer, List<String>> reasons = new java.util.TreeMap<>();
        Map<Integer, List<String>> tokens = new java.util.TreeMap<>();
        for (JsonNode e : events) {
            for (JsonNode c : e.get("choices")) {
                int index = c.get("index").asInt();
                text.merge(index, c.at(textPointer).asText(""), String::concat);
                if (!c.get("finish_reason").isNull()) {
                    reasons.computeIfAbsent(index, k -> new ArrayList<>()).add(c.get("finish_reason").asText());
                }
                for (JsonNode t : c.at(tokenPointer)) {
                    tokens.computeIfAbsent(index, k -> new ArrayList<>()).add(t.isTextual() ? t.asText() : t.get("token").asText());
                }
            }
        }
        return new Streamed(text, reasons, tokens);
    }

    @Test
    void streamedCompletionChoicesCarryTheirIndexLogprobsAndEcho() throws Exception {
        fake.tokenDelay(2);
        var stream = SseTestClient.post(completions,
                "{\"prompt\":\"hello\",\"max_tokens\":3,\"n\":2,\"echo\":true,\"logprobs\":1,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(stream.status()).isEqualTo(200);
        List<JsonNode> events = stream.events();
        assertThat(events.getFirst().at("/choices/0/text").asText()).isEqualTo("hello");
        Streamed s = collect(events, "/text", "/logprobs/tokens");
        assertThat(s.text()).isEqualTo(Map.of(0, "hello ba ca da", 1, "hello ca da ea"));
        assertThat(s.finishReasons()).isEqualTo(Map.of(0, List.of("length"), 1, List.of("length")));
        int promptTokens = fake.tokenizer().encode("hello", true).length;
        assertThat(s.tokens().get(1)).hasSize(promptTokens + 3).endsWith(" ca", " da", " ea");
        assertThat(events.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(6);
        // text offsets of a streamed choice continue where its previous chunk ended
        List<Integer> offsets = new ArrayList<>();
        events.stream().filter(e -> e.at("/choices/0/index").asInt(-1) == 0)
                .forEach(e -> e.at("/choices/0/logprobs/text_offset").forEach(o -> offsets.add(o.asInt())));
        assertThat(offsets.subList(offsets.size() - 3, offsets.size())).containsExactly(5, 8, 11);
    }

    @Test
    void streamedChatChoicesHaveARoleChunkEachAndTheirLogprobs() throws Exception {
        var stream = SseTestClient.post(chat, "{" + MESSAGES + ",\"max_tokens\":2,\"n\":3,\"logprobs\":true,\"top_logprobs\":1,\"stream\":true}");
        assertThat(stream.status()).isEqualTo(200);
        List<JsonNode> events = stream.events();
        assertThat(events.subList(0, 3)).extracting(e -> e.at("/choices/0/delta/role").asText()).containsOnly("assistant");
        assertThat(events.subList(0, 3)).extracting(e -> e.at("/choices/0/index").asInt()).containsExactly(0, 1, 2);
        Streamed s = collect(events, "/delta/content", "/logprobs/content");
        assertThat(s.text()).isEqualTo(Map.of(0, " ba ca", 1, " ca da", 2, " da ea"));
        assertThat(s.tokens()).isEqualTo(Map.of(0, List.of(" ba", " ca"), 1, List.of(" ca", " da"), 2, List.of(" da", " ea")));
        assertThat(s.finishReasons()).isEqualTo(Map.of(0, List.of("length"), 1, List.of("length"), 2, List.of("length")));
        assertThat(stream.data().getLast()).isEqualTo("[DONE]");
    }
}
