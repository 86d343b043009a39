package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlamaCppVectorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt-2", "deepseek-llm", "llama-spm", "phi-3"})
    void encodesEveryVectorAsLlamaCppDoes(String name) {
        VocabVectors vectors = VocabVectors.load(name);
        Tokenizer tokenizer = VocabVectors.tokenizer(name);
        List<String> failures = new ArrayList<>();
        for (VocabVectors.Vector v : vectors.vectors()) {
            int[] ids = tokenizer.encode(v.text(), false);
            if (!Arrays.equals(ids, v.ids())) {
                failures.add(v + "\n  expected " + Arrays.toString(v.ids()) + "\n  got      " + Arrays.toString(ids));
            }
            String decoded = tokenizer.decode(v.ids());
            if (!decoded.equals(v.text())) {
                failures.add(v + "\n  decodes to " + decoded.replace("\n", "\\n"));
            }
        }
        assertThat(failures).as(name).isEmpty();
    }
}
