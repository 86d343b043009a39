package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.morphserve.gguf.GgufArray;
import dev.morphserve.gguf.GgufMetadata;
import dev.morphserve.gguf.GgufValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A hand-made byte-level vocabulary where every merge and special token is known. */
class BpeTokenizerTest {
    private static final int AB = 256;
    private static final int BC = 257;
    private static final int ABC = 258;
    private static final int AA = 259;
    private static final int SPACE_A = 260;
    private static final int IM_START = 261;
    private static final int IM_END = 262;
    private static final int IM_START_LONG = 263;
    private static final int TOOL = 264;
    private static final int EOT = 265;
    private static final int EOM = 266;
    private static final int SENTENCE_END_TEXT = 267;

    /** 256 byte pieces, a few merges, control tokens and a user-defined one, as a GGUF says it. */
    private static Map<String, GgufValue> vocab(String pre, List<String> merges) {
        List<String> pieces = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            pieces.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
            types.add(Vocabulary.TYPE_NORMAL);
        }
        for (String normal : List.of("ab", "bc", "abc", "aa", "Ġa")) {
            pieces.add(normal);
            types.add(Vocabulary.TYPE_NORMAL);
        }
        for (String control : List.of("<|im_start|>", "<|im_end|>", "<|im_start|>x")) {
            pieces.add(control);
            types.add(Vocabulary.TYPE_CONTROL);
        }
        pieces.add("<tool>");
        types.add(Vocabulary.TYPE_USER_DEFINED);
        pieces.add("[EOT]");
        types.add(Vocabulary.TYPE_CONTROL);
        pieces.add("[EOM]");
        types.add(Vocabulary.TYPE_CONTROL);
        pieces.add("</s>"); // ordinary text here, as in Qwen2's vocabulary
        types.add(Vocabulary.TYPE_NORMAL);
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.pre", GgufValue.string(pre));
        m.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(pieces)));
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInt32(types.stream().mapToInt(i -> i).toArray())));
        m.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings(merges)));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(IM_START));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(IM_END));
        m.put("tokenizer.ggml.eot_token_id", GgufValue.uint32(EOT));
        m.put("tokenizer.ggml.eom_token_id", GgufValue.uint32(EOM));
        return m;
    }

    private static Tokenizer tokenizer(String pre, String... merges) {
        return Tokenizers.fromGguf(GgufMetadata.of(vocab(pre, List.of(merges))));
    }

    private static int b(char c) {
        return c; // ASCII letters stand for themselves, and their piece id is their byte
    }

    @Test
    void mergesTheLowestRankFirst() {
        // "b c" ranks before "a b": abc -> a|bc -> abc only if "a bc" exists; it does not.
        assertThat(tokenizer("gpt-2", "b c", "a b", "ab c").encode("abc", false)).containsExactly(b('a'), BC);
        assertThat(tokenizer("gpt-2", "a b", "b c", "ab c").encode("abc", false)).containsExactly(ABC);
    }

    @Test
    void mergesTheLeftmostPairOnTies() {
        assertThat(tokenizer("gpt-2", "a a").encode("aaa", false)).containsExactly(AA, b('a'));
    }

    @Test
    void neverMergesAcrossWords() {
        // " a" is one gpt-2 word; "b a" are two: the space goes with the a.
        assertThat(tokenizer("gpt-2", "Ġ a", "a b").encode("ab a", false)).containsExactly(AB, SPACE_A);
    }

    @Test
    void llama3TakesAWordThatIsATokenWhole() {
        // No merge reaches "abc" from a|b|c by rank ("b c" first, then no "a bc"), but it is a piece.
        assertThat(tokenizer("gpt-2", "b c", "a b", "ab c").encode("abc", false)).containsExactly(b('a'), BC);
        assertThat(tokenizer("llama-bpe", "b c", "a b", "ab c").encode("abc", false)).containsExactly(ABC);
    }

    @Test
    void controlTokensCountOnlyInMarkupAndUserDefinedOnesEverywhere() {
        Tokenizer t = tokenizer("gpt-2");
        assertThat(t.encodeWithSpecialTokens("<|im_end|>a<tool>", false)).containsExactly(IM_END, b('a'), TOOL);
        assertThat(t.encode("<|im_end|>a<tool>", false))
                .containsExactly(b('<'), b('|'), b('i'), b('m'), b('_'), b('e'), b('n'), b('d'), b('|'), b('>'), b('a'), TOOL);
    }

    @Test
    void theLongestSpecialTokenWins() {
        assertThat(tokenizer("gpt-2").encodeWithSpecialTokens("<|im_start|>x<|im_start|>", false))
                .containsExactly(IM_START_LONG, IM_START);
    }

    @Test
    void segmentsJoinTheirTextAndParseOnlyMarkup() {
        Tokenizer t = tokenizer("gpt-2", "a b");
        var segments = List.<TextSegment>of(
                new TextSegment.Markup("<|im_start|>a"), new TextSegment.Plain("b<|im_end|>"), new TextSegment.Markup("<|im_end|>"));
        // "a" (markup) and "b" (plain) join into one word and merge; only markup's <|im_end|> counts.
        int[] expected = java.util.stream.IntStream.concat(
                        java.util.stream.IntStream.of(IM_START, AB),
                        java.util.stream.IntStream.concat(java.util.Arrays.stream(t.encode("<|im_end|>", false)), java.util.stream.IntStream.of(IM_END)))
                .toArray();
        assertThat(t.encode(segments, false)).containsExactly(expected);
    }

    @Test
    void decodesBytesBackAndHidesControlTokens() {
        Tokenizer t = tokenizer("gpt-2");
        String text = "Grüße, 🦙\n\t<|im_end|> \u00a0";
        int[] ids = t.encode(text, false);
        assertThat(t.decode(ids)).isEqualTo(text);
        assertThat(t.decode(new int[] {IM_START, b('a'), IM_END, EOT, TOOL})).isEqualTo("a<tool>");
    }

    @Test
    void streamingHoldsBackHalfCharacters() {
        Tokenizer t = tokenizer("gpt-2");
        int[] ids = t.encode("€", false); // E2 82 AC: three byte pieces, no merges
        assertThat(ids).hasSize(3);
        TokenDecoder decoder = new TokenDecoder(t);
        assertThat(decoder.next(-1, ids[0])).isEmpty();
        assertThat(decoder.next(ids[0], ids[1])).isEmpty();
        assertThat(decoder.next(ids[1], ids[2])).isEqualTo("€");
    }

    @Test
    void endOfGenerationIdsComeFromTheMetadata() {
        Vocabulary v = tokenizer("gpt-2").vocabulary();
        assertThat(v.endOfGenerationIds()).containsExactly(IM_END, EOT, EOM);
        assertThat(v.isEndOfGeneration(EOT)).isTrue();
        assertThat(v.isEndOfGeneration(IM_START)).isFalse();
        assertThat(v.isEndOfGeneration(SENTENCE_END_TEXT)).as("an ordinary </s> piece").isFalse();
    }

    @Test
    void bosIsAddedOnlyWhereTheFileOrLlama3SaysSo() {
        assertThat(tokenizer("gpt-2").vocabulary().addBos()).as("gpt-2 without add_bos_token").isFalse();
        assertThat(tokenizer("llama-bpe").vocabulary().addBos()).as("Llama 3 without add_bos_token").isTrue();
        Map<String, GgufValue> m = vocab("gpt-2", List.of());
        m.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
        assertThat(Tokenizers.fromGguf(GgufMetadata.of(m)).encode("a", true)).containsExactly(IM_START, b('a'));
    }

    @Test
    void unknownModelsAndPreTokenizersFailAtLoadNamingThem() {
        Map<String, GgufValue> m = vocab("tekken", List.of());
        assertThatThrownBy(() -> Tokenizers.fromGguf(GgufMetadata.of(m)))
                .hasMessageContaining("tokenizer.ggml.pre = 'tekken'")
                .hasMessageContaining("llama-bpe, ");
        m.put("tokenizer.ggml.model", GgufValue.string("t5"));
        assertThatThrownBy(() -> Tokenizers.fromGguf(GgufMetadata.of(m)))
                .hasMessageContaining("tokenizer.ggml.model = 't5'")
                .hasMessageContaining("'gpt2'");
    }

    @Test
    void theByteAlphabetIsGpt2s() {
        Set<Character> chars = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            chars.add(ByteLevelAlphabet.charOf(b));
        }
        assertThat(chars).hasSize(256);
        assertThat(ByteLevelAlphabet.encode(" \n!é")).isEqualTo("ĠĊ!Ã©");
        assertThat(ByteLevelAlphabet.decode("ĠĊ!Ã©")).containsExactly(' ', '\n', '!', 0xC3 - 256, 0xA9 - 256);
    }
}
