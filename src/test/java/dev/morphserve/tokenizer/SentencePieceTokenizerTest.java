package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgufFile;
import dev.morphserve.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {

    @Test
    void encodesGoldenExampleFromGguf() throws Exception {
        var golden = SharedData.golden().get("encode_examples").get(0);
        try (GgufFile file = GgufFile.open(SharedData.storiesGguf())) {
            Tokenizer tokenizer = Tokenizers.fromGguf(file.metadata());
            int[] ids = tokenizer.encode(golden.get("text").asText(), true);
            assertThat(ids).containsExactly(SharedData.ints(golden.get("token_ids_with_bos")));
        }
    }

    @Test
    void decodesGoldenGenerationText() throws Exception {
        var greedy = SharedData.golden().get("greedy").get(0);
        try (GgufFile file = GgufFile.open(SharedData.storiesGguf())) {
            Tokenizer tokenizer = Tokenizers.fromGguf(file.metadata());
            assertThat(tokenizer.decode(SharedData.ints(greedy.get("token_ids")))).isEqualTo(greedy.get("text").asText());
        }
    }

    /** A hand-made vocabulary where the merge order is known: ties go to the leftmost pair. */
    @Test
    void mergesHighestScoreFirstAndLeftmostOnTies() {
        List<String> pieces = List.of("<unk>", "<s>", "</s>", " ", "a", "b", "ab", "ba", " a", "aba");
        float[] scores = {0, 0, 0, 0, 0, 0, -1, -1, -5, -0.5f};
        int[] types = {2, 3, 3, 1, 1, 1, 1, 1, 1, 1};
        var tokenizer = new SentencePieceTokenizer(Vocabulary.of(pieces, scores, types, 1, 2, 0, true, false));
        // "abab": pairs ab(-1) ba(-1) ab(-1) -> leftmost ab first: [ab, a, b] -> ab+a=aba(-0.5) -> [aba, b]
        assertThat(tokenizer.encode("abab", false)).containsExactly(9, 5);
    }

    @Test
    void fallsBackToBytesForUnknownCharactersAndDecodesThemBack() {
        List<String> pieces = new java.util.ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format("<0x%02X>", b));
        }
        pieces.add("\u2581");
        pieces.add("h");
        float[] scores = new float[pieces.size()];
        int[] types = new int[pieces.size()];
        java.util.Arrays.fill(types, 1);
        for (int b = 0; b < 256; b++) {
            types[3 + b] = Vocabulary.TYPE_BYTE;
        }
        var tokenizer = new SentencePieceTokenizer(Vocabulary.of(pieces, scores, types, 1, 2, 0, true, true));
        int[] ids = tokenizer.encode("h\u00e9", true); // é = C3 A9
        assertThat(ids).containsExactly(1, 259, 260, 3 + 0xC3, 3 + 0xA9);
        assertThat(tokenizer.decode(ids)).isEqualTo("h\u00e9");
    }

    @Test
    void streamingDecoderHoldsBackHalfCharacters() {
        List<String> pieces = new java.util.ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format("<0x%02X>", b));
        }
        int[] types = new int[pieces.size()];
        java.util.Arrays.fill(types, Vocabulary.TYPE_BYTE);
        var tokenizer = new SentencePieceTokenizer(Vocabulary.of(pieces, new float[pieces.size()], types, 1, 2, 0, true, false));
        TokenDecoder decoder = new TokenDecoder(tokenizer);
        assertThat(decoder.next(1, 3 + 0xE2)).isEmpty();
        assertThat(decoder.next(3 + 0xE2, 3 + 0x82)).isEmpty();
        assertThat(decoder.next(3 + 0x82, 3 + 0xAC)).isEqualTo("\u20ac");
    }
}
