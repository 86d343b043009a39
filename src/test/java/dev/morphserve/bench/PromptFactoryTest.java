package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgufFile;
import dev.morphserve.testing.SharedData;
import dev.morphserve.tokenizer.Tokenizer;
import dev.morphserve.tokenizer.Tokenizers;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptFactoryTest {

    @Test
    void everyPromptIsStrictUtf8WithoutLoneSurrogates() throws CharacterCodingException {
        for (long seed = 0; seed < 5; seed++) {
            PromptFactory prompts = new PromptFactory(seed);
            for (int index = 0; index < 400; index++) {
                String text = prompts.text(index, 1 + index % 300);
                assertThat(text).isNotBlank();
                for (int i = 0; i < text.length(); i++) {
                    assertThat(Character.isSurrogate(text.charAt(i))).as("char %d of prompt %d", i, index).isFalse();
                }
                ByteBuffer utf8 = StandardCharsets.UTF_8.newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(text));
                String back = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(utf8)
                        .toString();
                assertThat(back).isEqualTo(text);
            }
        }
    }

    @Test
    void aPromptDependsOnlyOnSeedAndIndex() {
        assertThat(new PromptFactory(7).text(3, 50)).isEqualTo(new PromptFactory(7).text(3, 50))
                .isNotEqualTo(new PromptFactory(7).text(4, 50))
                .isNotEqualTo(new PromptFactory(8).text(3, 50));
        assertThat(new PromptFactory(7).text(0, 1).split(" ")).as("an empty prompt is refused by servers").hasSize(1);
    }

    /** The length the workload asks for is what the server sees: the BOS plus one token per word. */
    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K/stories260K.gguf", "models/refs/vocab/ggml-vocab-llama-spm.gguf",
            "models/refs/vocab/ggml-vocab-gpt-2.gguf"})
    void eachWordIsOneTokenInTheVocabulary(String vocabulary) throws Exception {
        Path path = SharedData.require(vocabulary);
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(path)) {
            tokenizer = Tokenizers.fromGguf(file.metadata());
        }
        for (String word : PromptFactory.WORDS) {
            // After another word, as in a prompt: SentencePiece's leading-space token and GPT-2's 'Ġ' both join it.
            assertThat(tokenizer.encode("the " + word, false)).as("'the %s' in %s", word, path.getFileName()).hasSize(2);
        }
        PromptFactory prompts = new PromptFactory(1);
        for (int tokens : new int[] {2, 17, 200}) {
            assertThat(tokenizer.encode(prompts.text(tokens, tokens), false)).hasSize(tokens - 1);
        }
    }
}
