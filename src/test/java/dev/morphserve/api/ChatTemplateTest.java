package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real Hugging Face templates, rendered as transformers renders them. */
class ChatTemplateTest {
    /** ChatML (Qwen, TinyLlama-chat variants), as published in tokenizer_config.json. */
    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Llama-2-chat's template (meta-llama/Llama-2-7b-chat-hf), verbatim. */
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
            + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    /** Zephyr's multi-line template: correct only with trim-blocks and lstrip-blocks. */
    static final String ZEPHYR = """
            {% for message in messages %}
            {% if message['role'] == 'user' %}
            {{ '<|user|>\n' + message['content'] + eos_token }}
            {% elif message['role'] == 'system' %}
            {{ '<|system|>\n' + message['content'] + eos_token }}
            {% endif %}
            {% if loop.last and add_generation_prompt %}
            {{ '<|assistant|>' }}
            {% endif %}
            {% endfor %}""";

    private static Map<String, Object> message(String role, String content) {
        return Map.of("role", role, "content", content);
    }

    @Test
    void chatMl() {
        String out = new ChatTemplate(CHATML, "<s>", "</s>").render(List.of(message("system", "Be brief."), message("user", "Hi")));
        assertThat(out).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void llama2WithSystemPromptAndHistory() {
        String out = new ChatTemplate(LLAMA2, "<s>", "</s>").render(List.of(
                message("system", "Be brief."), message("user", "Hi "), message("assistant", "Hello."), message("user", "Bye")));
        assertThat(out).isEqualTo("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello. </s><s>[INST] Bye [/INST]");
    }

    @Test
    void llama2RaisesOnRolesThatDoNotAlternate() {
        var template = new ChatTemplate(LLAMA2, "<s>", "</s>");
        assertThatThrownBy(() -> template.render(List.of(message("user", "a"), message("user", "b"))))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("messages");
                    assertThat(e.getMessage()).contains("Conversation roles must alternate user/assistant/user/assistant/...");
                });
    }

    @Test
    void multiLineTemplateWithTrimAndLstripBlocks() {
        String out = new ChatTemplate(ZEPHYR, "<s>", "</s>").render(List.of(message("system", "S"), message("user", "U")));
        assertThat(out).isEqualTo("<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\n");
    }

    @Test
    void fallbackTemplate() {
        String out = new ChatTemplate(ChatTemplate.FALLBACK, "<s>", "</s>").render(List.of(message("system", "S"), message("user", "U")));
        assertThat(out).isEqualTo("<s><|system|>\nS\n<|user|>\nU\n<|assistant|>\n");
    }
}
