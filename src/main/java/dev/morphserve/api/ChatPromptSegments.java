package dev.morphserve.api;

import dev.morphserve.tokenizer.TextSegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A rendered chat prompt cut into what the template wrote ({@link TextSegment.Markup}: its
 * {@code <|im_start|>} becomes one token) and what users wrote ({@link TextSegment.Plain}: a
 * message that contains {@code <|im_start|>} stays text, so no one can forge a turn).
 *
 * <p>The template is rendered twice: with the real messages, and with every non-empty content and
 * name replaced by a placeholder of private-use characters that templates pass through untouched.
 * The second rendering shows where user text goes; the first is the prompt. Each user text is then
 * located in the real rendering: as given, or whitespace-trimmed (templates that {@code trim} or
 * {@code strip} content), or as whatever lies before the next template text where that text occurs
 * only once. Should a template transform user text otherwise, the placeholder rendering is used
 * with the text as given, which keeps the template's markup exact and user text plain. Only a
 * template that fails on placeholder text (none known) gets its whole output parsed for special
 * tokens, as vLLM and llama.cpp's server parse every prompt.
 */
final class ChatPromptSegments {
    private static final Logger LOG = Logger.getLogger(ChatPromptSegments.class);
    private static final Pattern PLACEHOLDER = Pattern.compile("\uE000(\\d+)\uE001");
    private static final List<String> USER_FIELDS = List.of("content", "name");

    private ChatPromptSegments() {}

    /** The prompt the template renders for these messages, as segments in order. */
    static List<TextSegment> render(ChatTemplate template, List<Map<String, Object>> messages) {
        String rendered = template.render(messages);
        List<String> userTexts = new ArrayList<>();
        String skeleton;
        try {
            skeleton = template.render(withPlaceholders(messages, userTexts));
        } catch (ApiException e) {
            LOG.warnf("the chat template fails on placeholder content (%s); its whole output is parsed for special tokens",
                    e.getMessage());
            return List.of(new TextSegment.Markup(rendered));
        }
        List<String> templateTexts = new ArrayList<>();
        List<String> placed = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(skeleton);
        int at = 0;
        while (m.find()) {
            templateTexts.add(skeleton.substring(at, m.start()));
            placed.add(userTexts.get(Integer.parseInt(m.group(1))));
            at = m.end();
        }
        templateTexts.add(skeleton.substring(at));
        List<TextSegment> aligned = align(rendered, templateTexts, placed);
        if (aligned != null) {
            return aligned;
        }
        LOG.debugf("the chat template transforms message text in a way not recognised; user text goes in as given");
        List<TextSegment> segments = new ArrayList<>();
        for (int i = 0; i < placed.size(); i++) {
            add(segments, new TextSegment.Markup(templateTexts.get(i)));
            add(segments, new TextSegment.Plain(placed.get(i)));
        }
        add(segments, new TextSegment.Markup(templateTexts.getLast()));
        return segments;
    }

    private static List<Map<String, Object>> withPlaceholders(List<Map<String, Object>> messages, List<String> userTexts) {
        List<Map<String, Object>> masked = new ArrayList<>(messages.size());
        for (Map<String, Object> message : messages) {
            Map<String, Object> copy = new LinkedHashMap<>(message);
            for (String field : USER_FIELDS) {
                if (copy.get(field) instanceof String text && !text.isEmpty()) {
                    copy.put(field, "\uE000" + userTexts.size() + "\uE001");
                    userTexts.add(text);
                }
            }
            masked.add(copy);
        }
        return masked;
    }

    /**
     * The real rendering as template text around user text, or null when it is not {@code
     * templateTexts[0] + user[0] + templateTexts[1] + ... + templateTexts[n]} for some form of
     * each user text.
     */
    private static List<TextSegment> align(String rendered, List<String> templateTexts, List<String> placed) {
        List<TextSegment> segments = new ArrayList<>();
        String first = templateTexts.getFirst();
        if (!rendered.startsWith(first)) {
            return null;
        }
        add(segments, new TextSegment.Markup(first));
        int pos = first.length();
        for (int i = 0; i < placed.size(); i++) {
            String next = templateTexts.get(i + 1);
            boolean last = i + 1 == placed.size();
            String user = locate(rendered, pos, placed.get(i), next, last);
            if (user == null) {
                return null;
            }
            add(segments, new TextSegment.Plain(user));
            add(segments, new TextSegment.Markup(next));
            pos += user.length() + next.length();
        }
        return pos == rendered.length() ? segments : null;
    }

    /** The form the user text takes at {@code pos}, followed by the template text {@code next}. */
    private static String locate(String rendered, int pos, String text, String next, boolean last) {
        for (String form : new LinkedHashSet<>(
                List.of(text, text.strip(), text.trim(), text.stripLeading(), text.stripTrailing()))) {
            int end = pos + form.length();
            if (rendered.startsWith(form, pos)
                    && rendered.startsWith(next, end)
                    && (!last || end + next.length() == rendered.length())) {
                return form;
            }
        }
        if (last && rendered.endsWith(next) && rendered.length() - next.length() >= pos) {
            return rendered.substring(pos, rendered.length() - next.length());
        }
        int end = next.isEmpty() ? -1 : rendered.indexOf(next, pos);
        boolean unique = end >= 0 && rendered.indexOf(next, end + 1) < 0;
        return unique ? rendered.substring(pos, end) : null;
    }

    private static void add(List<TextSegment> segments, TextSegment segment) {
        if (!segment.text().isEmpty()) {
            segments.add(segment);
        }
    }
}
