package dev.morphserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.morphserve.api.dto.ChatMessage;
import dev.morphserve.engine.EngineClient;
import dev.morphserve.tokenizer.TextSegment;
import dev.morphserve.tokenizer.Tokenizer;
import dev.morphserve.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a request's prompt (completions) or messages (chat) into prompt token ids and checks
 * them against the model: ids in the vocabulary, prompt plus one generated token within the
 * context. Special tokens written in a completions prompt or by a chat template become their ids
 * (as in vLLM and llama.cpp's server); written in a chat message, they stay text.
 */
public final class PromptEncoder {
    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private PromptEncoder() {}

    /** {@code prompt}: a non-empty string, a non-empty array of token ids, or an array holding one string. */
    public static int[] completionPrompt(JsonNode prompt, EngineClient engine) {
        if (prompt == null || prompt.isNull()) {
            throw ApiException.badRequest("prompt", "prompt is required");
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            prompt = prompt.get(0); // a batch of one, as some clients always send
        }
        int[] tokens;
        if (prompt.isTextual()) {
            if (prompt.asText().isEmpty()) {
                throw ApiException.badRequest("prompt", "prompt must not be empty");
            }
            Tokenizer tokenizer = engine.tokenizer();
            tokens = withBos(tokenizer.encodeWithSpecialTokens(wellFormed(prompt.asText(), "prompt"), false), tokenizer.vocabulary());
        } else if (prompt.isArray()) {
            tokens = tokenIds(prompt, engine.tokenizer().vocabulary().size());
        } else {
            throw ApiException.badRequest("prompt", "prompt must be a string or an array of token ids");
        }
        checkContext("prompt", tokens.length, engine);
        return tokens;
    }

    private static int[] tokenIds(JsonNode array, int vocabularySize) {
        if (array.isEmpty()) {
            throw ApiException.badRequest("prompt", "prompt must not be empty");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (id.isTextual()) {
                throw ApiException.badRequest("prompt", "batched prompts are not supported: send one string or one array of token ids");
            }
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() >= vocabularySize) {
                throw ApiException.badRequest("prompt", "prompt[" + i + "] = " + id + " is not a token id (0.." + (vocabularySize - 1) + ")");
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    /**
     * Renders the messages with the model's chat template and encodes the result, the template's
     * text with special tokens, the messages' text without ({@link ChatPromptSegments}). A template
     * that writes the BOS text itself gets it as the BOS token, not as literal characters plus a
     * second BOS.
     */
    public static int[] chatPrompt(List<ChatMessage> messages, EngineClient engine) {
        if (messages == null || messages.isEmpty()) {
            throw ApiException.badRequest("messages", "messages must be a non-empty array");
        }
        Tokenizer tokenizer = engine.tokenizer();
        Vocabulary vocabulary = tokenizer.vocabulary();
        String bos = vocabulary.bosId() >= 0 ? vocabulary.piece(vocabulary.bosId()) : "";
        String eos = vocabulary.eosId() >= 0 ? vocabulary.piece(vocabulary.eosId()) : "";
        ChatTemplate template = new ChatTemplate(engine.chatTemplate().orElse(ChatTemplate.FALLBACK), bos, eos);
        List<TextSegment> segments = ChatPromptSegments.render(template, templateMessages(messages));
        int[] tokens = tokenizer.encode(segments, false);
        if (!bos.isEmpty()
                && (tokens.length == 0 || tokens[0] != vocabulary.bosId())
                && !segments.isEmpty()
                && segments.getFirst() instanceof TextSegment.Markup first
                && first.text().startsWith(bos)) {
            // A BOS piece that is no control token: the template's copy is dropped for the id.
            List<TextSegment> rest = new ArrayList<>(segments);
            rest.set(0, new TextSegment.Markup(first.text().substring(bos.length())));
            tokens = tokenizer.encode(rest, true);
        } else {
            tokens = withBos(tokens, vocabulary);
        }
        if (tokens.length == 0) {
            throw ApiException.badRequest("messages", "the messages render to an empty prompt");
        }
        checkContext("messages", tokens.length, engine);
        return tokens;
    }

    /** BOS first when the model wants it and the prompt does not already start with it. */
    private static int[] withBos(int[] tokens, Vocabulary vocabulary) {
        if (!vocabulary.addBos() || (tokens.length > 0 && tokens[0] == vocabulary.bosId())) {
            return tokens;
        }
        int[] withBos = new int[tokens.length + 1];
        withBos[0] = vocabulary.bosId();
        System.arraycopy(tokens, 0, withBos, 1, tokens.length);
        return withBos;
    }

    static List<Map<String, Object>> templateMessages(List<ChatMessage> messages) {
        List<Map<String, Object>> result = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m == null) {
                throw ApiException.badRequest("messages[" + i + "]", "messages[" + i + "] must be an object");
            }
            if (m.role() == null || !ROLES.contains(m.role())) {
                throw ApiException.badRequest("messages[" + i + "].role", "messages[" + i + "].role must be one of "
                        + ROLES.stream().sorted().toList() + ", got " + (m.role() == null ? "nothing" : "'" + m.role() + "'"));
            }
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", content(m, i));
            if (m.name() != null) {
                message.put("name", m.name());
            }
            result.add(message);
        }
        return result;
    }

    /** A string, or the text parts of an array joined by newlines (as vLLM does). */
    private static String content(ChatMessage m, int index) {
        String param = "messages[" + index + "].content";
        JsonNode content = m.content();
        if (content == null || content.isNull()) {
            if ("assistant".equals(m.role())) {
                return ""; // assistant turns that only carried tool calls
            }
            throw ApiException.badRequest(param, param + " is required");
        }
        if (content.isTextual()) {
            return wellFormed(content.asText(), param);
        }
        if (!content.isArray()) {
            throw ApiException.badRequest(param, param + " must be a string or an array of text parts");
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode part : content) {
            if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                throw ApiException.badRequest(param, param + " parts must be {\"type\": \"text\", \"text\": \"...\"}; other part types are not supported");
            }
            parts.add(wellFormed(part.get("text").asText(), param));
        }
        return String.join("\n", parts);
    }

    /**
     * JSON may escape half of a surrogate pair ({@code "\ud800"}); such text is not Unicode, has no
     * UTF-8 form and would reach the tokenizer as a replacement character the client never sent.
     */
    static String wellFormed(String text, String param) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest(param, param + " is not valid Unicode: an unpaired surrogate \\u"
                        + Integer.toHexString(c) + " at character " + i);
            }
        }
        return text;
    }

    private static void checkContext(String param, int promptTokens, EngineClient engine) {
        int context = engine.modelConfig().contextLength();
        if (promptTokens + 1 > context) {
            throw ApiException.contextExceeded(param, promptTokens, context);
        }
    }
}
