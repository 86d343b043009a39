package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every tokenizer test vector of llama.cpp for which its vocab GGUF is in ../shared: the 46 texts
 * of llama.cpp's own test plus 10 more (accents, digits, whitespace runs, contractions, emoji
 * sequences, CJK, code, several scripts, special-looking text, NBSP and ideographic space). Each
 * must encode to exactly llama.cpp's ids (no BOS, special tokens not parsed) and those ids must
 * decode back to the text. Byte-level BPE is lossless; the SentencePiece vocabularies here have
 * byte fallback and drop only the space their encoder adds, so no vector is exempt from the round
 * trip. (llama.cpp's own detokenizer would also clean spaces before punctuation for gpt-2; serving
 * decodes token by token, as llama.cpp's server does, so that clean-up is not applied.)
 */
class LlamaCppVectorsTest {

    @ParameterizedTest
    @CsvSource({"gpt-2, 56", "deepseek-llm, 56", "llama-spm, 56", "phi-3, 56"})
    void encodesAndDecodesEveryVectorAsLlamaCppDoes(String name, int count) {
        List<VocabVectors.Vector> vectors = VocabVectors.load(name).vectors();
        Tokenizer tokenizer = VocabVectors.tokenizer(name);
        List<String> failures = new ArrayList<>();
        int encoded = 0;
        int decoded = 0;
        for (VocabVectors.Vector v : vectors) {
            int[] ids = tokenizer.encode(v.text(), false);
            if (Arrays.equals(ids, v.ids())) {
                encoded++;
            } else {
                failures.add(v + "\n  expected " + Arrays.toString(v.ids()) + "\n  got      " + Arrays.toString(ids));
            }
            String text = tokenizer.decode(v.ids());
            if (text.equals(v.text())) {
                decoded++;
            } else {
                failures.add(v + "\n  decodes to " + text.replace("\n", "\\n"));
            }
        }
        System.out.printf("%s: %d/%d encode, %d/%d decode back%n", name, encoded, vectors.size(), decoded, vectors.size());
        assertThat(vectors).hasSize(count);
        assertThat(failures).as(name).isEmpty();
    }
}
