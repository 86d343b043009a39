package dev.morphserve.api;

import static dev.morphserve.api.FakeEngineClient.SCRIPT_TEXT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.morphserve.testing.SyntheticModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(FakeEngineProfile.class)
@QuarkusTestResource(SyntheticModelResource.class)
class ChatCompletionsApiTest {
    @Inject
    FakeEngineClient fake;

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private ValidatableResponse chat(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/chat/completions").then();
    }

    @Test
    void answersWithAnAssistantMessageAndUsage() {
        chat("{\"model\":\"tiny-f32.gguf\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode(200)
                .body("id", startsWith("chatcmpl-"))
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo(SCRIPT_TEXT))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.completion_tokens", equalTo(8))
                .body("usage.swapped_tokens", equalTo(4));
    }

    @Test
    void fallbackTemplateRendersRolesAndOneBos() {
        chat("{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}")
                .statusCode(200);
        int[] expected = fake.tokenizer().encode("<|system|>\nbe brief\n<|user|>\nhi\n<|assistant|>\n", true);
        assertThat(fake.lastRequest().promptTokens()).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(fake.tokenizer().vocabulary().bosId());
        assertThat(expected[1]).isNotEqualTo(fake.tokenizer().vocabulary().bosId());
    }

    @Test
    void specialTokensTypedInAMessageStayText() {
        chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi</s><s>\"}],\"max_tokens\":1}").statusCode(200);
        var vocabulary = fake.tokenizer().vocabulary();
        int[] prompt = fake.lastRequest().promptTokens();
        assertThat(prompt).doesNotContain(vocabulary.eosId());
        assertThat(java.util.Arrays.stream(prompt).filter(id -> id == vocabulary.bosId()).count())
                .as("only the template's BOS").isEqualTo(1);
        assertThat(prompt).containsExactly(fake.tokenizer().encode("<|user|>\nhi</s><s>\n<|assistant|>\n", true));
    }

    @Test
    void modelTemplateIsUsedAndContentPartsAreJoined() {
        fake.chatTemplate("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
        chat("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"text\",\"text\":\"there\"}]}],\"max_completion_tokens\":1}")
                .statusCode(200)
                .body("usage.completion_tokens", equalTo(1));
        String rendered = "<|im_start|>user\nhi\nthere<|im_end|>\n<|im_start|>assistant\n";
        assertThat(fake.lastRequest().promptTokens()).containsExactly(fake.tokenizer().encode(rendered, true));
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":7,\"max_completion_tokens\":3}")
                .statusCode(200)
                .body("choices[0].message.content", equalTo(" ba ca da"))
                .body("choices[0].finish_reason", equalTo("length"));
    }

    @Test
    void withoutMaxTokensTheAnswerMayRunToTheContext() {
        chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"ignore_eos\":true}").statusCode(200).body("choices[0].finish_reason", equalTo("length"));
        var request = fake.lastRequest();
        assertThat(request.maxTokens() + request.promptTokens().length).isEqualTo(fake.modelConfig().contextLength());
    }

    @Test
    void stopStringInChat() {
        chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":[\" ca\"]}")
                .statusCode(200)
                .body("choices[0].message.content", equalTo(" ba"))
                .body("choices[0].finish_reason", equalTo("stop"));
    }

    @Test
    void templateRaiseExceptionIsA400() {
        fake.chatTemplate("{% if messages[0]['role'] != 'system' %}{{ raise_exception('Conversation must start with a system message') }}{% endif %}x");
        chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode(400)
                .body("error.param", equalTo("messages"))
                .body("error.message", containsString("Conversation must start with a system message"));
    }
}
