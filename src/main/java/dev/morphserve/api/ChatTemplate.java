package dev.morphserve.api;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a GGUF's {@code tokenizer.chat_template} (a Hugging Face Jinja template) with Jinjava,
 * configured as Hugging Face's renderer is: trim-blocks and lstrip-blocks, {@code raise_exception}
 * available, {@code bos_token}/{@code eos_token}/{@code messages}/{@code add_generation_prompt}
 * bound. A {@code raise_exception} call (e.g. Llama-2's "roles must alternate") becomes a 400.
 *
 * <p>Models without a template get {@link #FALLBACK}: BOS, then one {@code <|role|>} line and the
 * content per message, and {@code <|assistant|>} to prompt the answer (Zephyr's layout without
 * its end-of-turn tokens, which a base model would not know anyway).
 */
public final class ChatTemplate {
    public static final String FALLBACK = """
            {{ bos_token }}{% for message in messages %}
            <|{{ message['role'] }}|>
            {{ message['content'] }}
            {% endfor %}
            {% if add_generation_prompt %}
            <|assistant|>
            {% endif %}""";

    private static final Jinjava JINJAVA = createJinjava();

    private final String template;
    private final String bosToken;
    private final String eosToken;

    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** @param messages each with {@code role} and {@code content} (plain text) */
    public String render(List<Map<String, Object>> messages) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", messages);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        bindings.put("add_generation_prompt", true);
        RenderResult result = JINJAVA.renderForResult(template, bindings);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) {
            throw ApiException.badRequest("messages", "The model's chat template rejected the messages: "
                    + fatal.stream().map(ChatTemplate::describe).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** The message a template passed to raise_exception, without Jinjava's wrapping. */
    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaisedException raised) {
                return raised.getMessage();
            }
        }
        return error.getMessage();
    }

    private static Jinjava createJinjava() {
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        return jinjava;
    }

    /** Bound to {@code raise_exception(message)} in templates. */
    public static String raiseException(String message) {
        throw new TemplateRaisedException(message);
    }

    /** What {@code raise_exception} throws; carries the template's own message. */
    static final class TemplateRaisedException extends RuntimeException {
        TemplateRaisedException(String message) {
            super(message, null, false, false);
        }
    }
}
