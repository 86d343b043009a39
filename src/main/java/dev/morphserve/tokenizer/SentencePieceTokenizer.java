package dev.morphserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}) with llama2.c's semantics:
 * optional dummy space prefix, one symbol per UTF-8 character (byte fallback to {@code <0xNN>}
 * tokens for characters the vocabulary lacks), then repeatedly merge the adjacent pair whose
 * concatenation is the highest-scoring piece, leftmost pair first on ties.
 *
 * <p>llama2.c rescans the whole sequence for every merge (quadratic); a priority queue ordered by
 * (score desc, left position asc) with lazy invalidation picks exactly the same pairs in
 * O(n log n), which matters when perplexity encodes a whole book as one sequence.
 *
 * <p>Special tokens are found first ({@link SpecialTokens}); as in llama.cpp, every stretch of text
 * after the start or after a special token gets the dummy space prefix.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final String WORD_BOUNDARY = "\u2581";

    private final Vocabulary vocabulary;
    private final SpecialTokens specialTokens;
    /** The vocabulary's spelling of a space: U+2581 in llama.cpp GGUFs, ' ' in llama2.c exports. */
    private final String spaceSymbol;
    /** Token id of each byte value's {@code <0xNN>} piece, -1 when the vocabulary has none. */
    private final int[] byteTokenIds = new int[256];

    public SentencePieceTokenizer(Vocabulary vocabulary) {
        this(vocabulary, SpecialTokens.of(vocabulary));
    }

    SentencePieceTokenizer(Vocabulary vocabulary, SpecialTokens specialTokens) {
        this.vocabulary = vocabulary;
        this.specialTokens = specialTokens;
        this.spaceSymbol = vocabulary.pieces().stream().anyMatch(p -> p.contains(WORD_BOUNDARY)) ? WORD_BOUNDARY : " ";
        for (int b = 0; b < 256; b++) {
            byteTokenIds[b] = vocabulary.idOf(String.format("<0x%02X>", b));
        }
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int[] encode(List<TextSegment> segments, boolean addBos) {
        return specialTokens.encode(segments, addBos ? vocabulary.bosId() : -1, this::encodeText);
    }

    private void encodeText(String text, IntStream.Builder ids) {
        String normalized = vocabulary.addSpacePrefix() ? " " + text : text;
        List<Symbol> symbols = initialSymbols(normalized.replace(" ", spaceSymbol));
        mergeByScore(symbols);
        for (Symbol s = symbols.isEmpty() ? null : symbols.getFirst(); s != null; s = s.next) {
            ids.add(s.id);
        }
    }

    /** One symbol per character; a character missing from the vocabulary becomes byte tokens. */
    private List<Symbol> initialSymbols(String text) {
        List<Symbol> symbols = new ArrayList<>(text.length());
        text.codePoints().forEach(cp -> {
            String ch = Character.toString(cp);
            int id = vocabulary.idOf(ch);
            if (id >= 0) {
                symbols.add(new Symbol(ch, id, symbols.size()));
                return;
            }
            for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                int byteId = byteTokenIds[b & 0xFF];
                symbols.add(new Symbol(null, byteId >= 0 ? byteId : vocabulary.unknownId(), symbols.size()));
            }
        });
        for (int i = 0; i < symbols.size(); i++) {
            symbols.get(i).prev = i > 0 ? symbols.get(i - 1) : null;
            symbols.get(i).next = i + 1 < symbols.size() ? symbols.get(i + 1) : null;
        }
        return symbols;
    }

    private void mergeByScore(List<Symbol> symbols) {
        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (Symbol s : symbols) {
            offer(queue, s);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            Symbol left = c.left;
            Symbol right = left.next;
            // Stale entry: one side was merged away or grew since the candidate was queued.
            if (left.dead || right == null || right != c.right || left.text != c.leftText || right.text != c.rightText) {
                continue;
            }
            left.text = c.merged;
            left.id = c.id;
            left.next = right.next;
            if (right.next != null) {
                right.next.prev = left;
            }
            right.dead = true;
            if (left.prev != null) {
                offer(queue, left.prev);
            }
            offer(queue, left);
        }
        symbols.removeIf(s -> s.dead);
    }

    private void offer(PriorityQueue<Candidate> queue, Symbol left) {
        Symbol right = left.next;
        if (right == null || left.text == null || right.text == null) {
            return; // byte-fallback symbols never merge (as in llama2.c, their pieces are not text)
        }
        String merged = left.text + right.text;
        int id = vocabulary.idOf(merged);
        if (id >= 0) {
            queue.add(new Candidate(left, right, left.text, right.text, merged, id, vocabulary.scores()[id]));
        }
    }

    @Override
    public byte[] decodeBytes(int previousId, int id) {
        if (vocabulary.isByte(id)) {
            String piece = vocabulary.piece(id); // "<0xNN>"
            return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
        }
        if (vocabulary.isUserDefined(id)) {
            return vocabulary.piece(id).getBytes(StandardCharsets.UTF_8); // added as text, as llama.cpp
        }
        if (vocabulary.tokenTypes()[id] != Vocabulary.TYPE_NORMAL || id == vocabulary.bosId() || id == vocabulary.eosId()) {
            return new byte[0]; // control, unknown, unused: no text of their own
        }
        String piece = vocabulary.piece(id).replace(spaceSymbol, " ");
        boolean atStart = previousId == vocabulary.bosId() || (previousId < 0 && vocabulary.addSpacePrefix());
        if (atStart && piece.startsWith(" ")) {
            piece = piece.substring(1);
        }
        return piece.getBytes(StandardCharsets.UTF_8);
    }

    /** A node of the doubly linked symbol list; {@code text} is null for byte-fallback symbols. */
    private static final class Symbol {
        String text;
        int id;
        final int position;
        Symbol prev;
        Symbol next;
        boolean dead;

        Symbol(String text, int id, int position) {
            this.text = text;
            this.id = id;
            this.position = position;
        }
    }

    private record Candidate(Symbol left, Symbol right, String leftText, String rightText, String merged, int id, float score)
            implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            int byScore = Float.compare(o.score, score);
            return byScore != 0 ? byScore : Integer.compare(left.position, o.left.position);
        }
    }
}
