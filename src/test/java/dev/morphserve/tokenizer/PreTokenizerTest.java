package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Word splits written out by hand from the published expressions (what a regex engine with
 * Unicode classes gives), for each pre-tokenizer; {@link PreTokenizerVectorsTest} checks the
 * splits against llama.cpp's ids.
 */
class PreTokenizerTest {

    private static List<String> split(PreTokenizer pre, String text) {
        List<String> words = pre.split(text);
        assertThat(String.join("", words)).as("words cover the text").isEqualTo(text);
        return words;
    }

    @Test
    void llama3() {
        PreTokenizer p = PreTokenizer.LLAMA3;
        assertThat(split(p, "Hello world")).containsExactly("Hello", " world");
        assertThat(split(p, "I'm sure you'LL")).containsExactly("I", "'m", " sure", " you", "'LL");
        assertThat(split(p, "1234567")).containsExactly("123", "456", "7");
        assertThat(split(p, "  leading")).containsExactly(" ", " leading");
        assertThat(split(p, "a\n\n b")).containsExactly("a", "\n\n", " b");
        assertThat(split(p, "ok!!!\n\nnext")).containsExactly("ok", "!!!\n\n", "next");
        assertThat(split(p, "x   ")).containsExactly("x", "   ");
        assertThat(split(p, "\tword")).containsExactly("\tword");
        assertThat(split(p, "日本語のテキスト")).containsExactly("日本語のテキスト");
        assertThat(split(p, "a\u00a0nbsp")).containsExactly("a", "\u00a0nbsp");
        assertThat(split(p, "🦙.cpp")).containsExactly("🦙.", "cpp");
    }

    @Test
    void qwen2SplitsDigitsOneByOne() {
        PreTokenizer p = PreTokenizer.QWEN2;
        assertThat(split(p, "1234 apples")).containsExactly("1", "2", "3", "4", " apples");
        assertThat(split(p, "I'm")).containsExactly("I", "'m");
    }

    @Test
    void gpt2() {
        PreTokenizer p = PreTokenizer.GPT2;
        assertThat(split(p, "   Hello")).containsExactly("  ", " Hello");
        assertThat(split(p, "don'T")).containsExactly("don", "'", "T");
        assertThat(split(p, "Hello\n\nworld")).containsExactly("Hello", "\n", "\n", "world");
        assertThat(split(p, "w048 7tuijk")).containsExactly("w", "048", " 7", "tuijk");
        assertThat(split(p, " (normal)")).containsExactly(" (", "normal", ")");
    }

    @Test
    void deepSeekAppliesItsExpressionsOneAfterAnother() {
        PreTokenizer p = PreTokenizer.DEEPSEEK_LLM;
        assertThat(split(p, "Hello 世界123")).containsExactly("Hello", " ", "世界", "123");
        assertThat(split(p, "a\r\nb  ")).containsExactly("a", "\r", "\n", "b", "  ");
        // Later expressions cut the matches of earlier ones too: the punctuation class :-~ also
        // holds the ASCII letters, so it splits "Grüße" again (llama.cpp's ids show the same cut).
        assertThat(split(p, "Grüße, naïve")).containsExactly("Gr", "üß", "e", ",", " na", "ï", "ve");
        assertThat(split(p, "x！？y")).containsExactly("x", "！？", "y");
    }

    @Test
    void defaultSplitsPunctuationThenWordsThenNumbers() {
        assertThat(split(PreTokenizer.DEFAULT, "a.b 123,4567")).containsExactly("a", ".", "b", " ", "123", ",", "456", "7");
    }

    @Test
    void unknownNamesFailWithTheSupportedOnes() {
        assertThatThrownBy(() -> PreTokenizer.named("tekken"))
                .hasMessageContaining("'tekken'")
                .hasMessageContaining("llama-bpe")
                .hasMessageContaining("qwen2")
                .hasMessageContaining("deepseek-llm");
        assertThat(PreTokenizer.named("llama-bpe")).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(PreTokenizer.named("gpt-2")).isEqualTo(PreTokenizer.GPT2);
    }
}
