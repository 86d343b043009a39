package dev.morphserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Finds special tokens written in text before the model's tokenizer sees it, as llama.cpp's
 * {@code tokenizer_st_partition} does: control, unknown and user-defined tokens, longest first
 * (each one claims every occurrence in the text left unclaimed by longer ones), control and
 * unknown ones only in {@link TextSegment.Markup}. The text between matches, joined across
 * segment boundaries, is then encoded as ordinary text, so a prompt split into markup and plain
 * segments encodes exactly as its whole text would, save for the markup that plain text hides.
 */
final class SpecialTokens {
    /** Appends the ids of a stretch of ordinary text. */
    @FunctionalInterface
    interface TextEncoder {
        void encode(String text, IntStream.Builder ids);
    }

    /** What {@link #partition} yields: ordinary text or one special token. */
    sealed interface Fragment {
        record Text(String text) implements Fragment {}

        record Token(int id) implements Fragment {}
    }

    /** A token that may be written in text; {@code rstrip} drops the ASCII whitespace after it (Phi-3). */
    private record Candidate(int id, String text, boolean markupOnly, boolean rstrip) {}

    private sealed interface Part {}

    private record Raw(String text, boolean markup) implements Part {}

    private record Matched(Candidate token) implements Part {}

    private final List<Candidate> candidates;

    private SpecialTokens(List<Candidate> candidates) {
        this.candidates = candidates;
    }

    /** The special tokens of a vocabulary, with no whitespace stripping. */
    static SpecialTokens of(Vocabulary vocabulary) {
        return of(vocabulary, id -> false);
    }

    /**
     * With llama.cpp's per-model attributes: models named Phi-3 strip whitespace after their
     * special tokens (except {@code <unk>}, {@code <s>}, {@code <|endoftext|>}), as their
     * Hugging Face tokenizer does.
     */
    static SpecialTokens forModel(Vocabulary vocabulary, String modelName) {
        String name = modelName.toLowerCase(Locale.ROOT);
        if (!name.contains("phi-3") && !name.contains("phi3")) {
            return of(vocabulary);
        }
        Set<String> keep = Set.of("<unk>", "<s>", "<|endoftext|>");
        return of(vocabulary, id -> !keep.contains(vocabulary.piece(id)));
    }

    private static SpecialTokens of(Vocabulary vocabulary, IntPredicate rstrip) {
        List<Candidate> candidates = new ArrayList<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            String text = vocabulary.piece(id);
            if ((vocabulary.isSpecial(id) || vocabulary.isUserDefined(id)) && !text.isEmpty()) {
                candidates.add(new Candidate(id, text, vocabulary.isSpecial(id), rstrip.test(id)));
            }
        }
        // llama.cpp orders by length in bytes; ties by id keep the order deterministic.
        candidates.sort(Comparator.comparingInt((Candidate c) -> -c.text.getBytes(StandardCharsets.UTF_8).length)
                .thenComparingInt(Candidate::id));
        return new SpecialTokens(List.copyOf(candidates));
    }

    /** BOS (unless {@code bosId} is negative), then the segments' ids. */
    int[] encode(List<TextSegment> segments, int bosId, TextEncoder textEncoder) {
        IntStream.Builder ids = IntStream.builder();
        if (bosId >= 0) {
            ids.add(bosId);
        }
        for (Fragment fragment : partition(segments)) {
            switch (fragment) {
                case Fragment.Token token -> ids.add(token.id());
                case Fragment.Text text -> textEncoder.encode(text.text(), ids);
            }
        }
        return ids.build().toArray();
    }

    /** Special tokens and the ordinary text between them, in order; no text fragment is empty. */
    List<Fragment> partition(List<TextSegment> segments) {
        List<Part> parts = new ArrayList<>();
        for (TextSegment segment : segments) {
            if (!segment.text().isEmpty()) {
                parts.add(new Raw(segment.text(), segment instanceof TextSegment.Markup));
            }
        }
        for (Candidate candidate : candidates) {
            if (parts.stream().anyMatch(p -> occursIn(candidate, p))) {
                parts = split(parts, candidate);
            }
        }
        return assemble(parts);
    }

    private static boolean occursIn(Candidate candidate, Part part) {
        return part instanceof Raw raw && (raw.markup || !candidate.markupOnly) && raw.text.contains(candidate.text);
    }

    private static List<Part> split(List<Part> parts, Candidate candidate) {
        List<Part> result = new ArrayList<>(parts.size() + 2);
        for (Part part : parts) {
            if (!occursIn(candidate, part)) {
                result.add(part);
                continue;
            }
            Raw raw = (Raw) part;
            int from = 0;
            for (int at; (at = raw.text.indexOf(candidate.text, from)) >= 0; from = at + candidate.text.length()) {
                if (at > from) {
                    result.add(new Raw(raw.text.substring(from, at), raw.markup));
                }
                result.add(new Matched(candidate));
            }
            if (from < raw.text.length()) {
                result.add(new Raw(raw.text.substring(from), raw.markup));
            }
        }
        return result;
    }

    /** Joins neighbouring text, whatever segment it came from, and applies the strips. */
    private static List<Fragment> assemble(List<Part> parts) {
        List<Fragment> fragments = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean stripLeading = false;
        for (Part part : parts) {
            switch (part) {
                case Raw raw -> text.append(raw.text);
                case Matched matched -> {
                    flush(text, stripLeading, fragments);
                    fragments.add(new Fragment.Token(matched.token.id));
                    stripLeading = matched.token.rstrip;
                }
            }
        }
        flush(text, stripLeading, fragments);
        return fragments;
    }

    private static void flush(StringBuilder text, boolean stripLeading, List<Fragment> out) {
        int start = 0;
        while (stripLeading && start < text.length() && isAsciiSpace(text.charAt(start))) {
            start++;
        }
        if (start < text.length()) {
            out.add(new Fragment.Text(text.substring(start)));
        }
        text.setLength(0);
    }

    /** C's isspace in the "C" locale, which llama.cpp's strips use. */
    private static boolean isAsciiSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
