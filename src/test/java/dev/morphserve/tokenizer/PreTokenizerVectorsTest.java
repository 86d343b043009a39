package dev.morphserve.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pre-tokenizers against llama.cpp's ids where no vocabulary is at hand (llama-bpe = Llama 3,
 * qwen2: their vocab GGUFs could not be obtained). BPE never merges across words, so two facts
 * hold whatever the vocabulary: a word gets the same ids wherever it stands, and no token spans a
 * word boundary. The vectors themselves say enough to test both: the bytes of some token ids
 * ({@link TokenBytes}: a text whose ids are all known but one gives that one), and the ids of
 * some words (a one-word text gives them; each vector is then predicted from the others alone).
 *
 * <p>What this cannot see: a word boundary that llama.cpp has and we lack, where the ids on both
 * sides are unknown (the hand-written splits in {@link PreTokenizerTest} cover the cases that tell
 * llama-bpe, qwen2 and gpt-2 apart: digit groups, case-insensitive contractions, newline runs);
 * the merges and the vocabulary themselves; Llama 3's {@code ignore_merges}. Those are covered only
 * by {@link HuggingFaceTokenizerVectorsTest}, when the real tokenizer files are supplied. Of seven
 * wrong pre-tokenizer choices tried against these vectors, these checks rejected four. gpt-2 runs
 * the same checks as a control of the method; its full tokenizer is tested in
 * {@link LlamaCppVectorsTest}.
 */
class PreTokenizerVectorsTest {

    @ParameterizedTest
    @CsvSource({"llama-bpe, LLAMA3, 20", "qwen2, QWEN2, 20", "gpt-2, GPT2, 10"})
    void wordIdsLearntFromTheOtherVectorsPredictEachVector(String name, PreTokenizer pre, int minimumPredicted) {
        List<VocabVectors.Vector> vectors = VocabVectors.load(name).vectors();
        List<String> conflicts = new ArrayList<>();
        for (VocabVectors.Vector v : vectors) {
            assertThat(pre.split(v.text()).size()).as("every word is at least one token: %s", v).isLessThanOrEqualTo(v.ids().length);
        }
        int predicted = 0;
        for (VocabVectors.Vector v : vectors) {
            List<VocabVectors.Vector> others = vectors.stream().filter(o -> o != v).toList();
            Map<String, int[]> learnt = learn(pre, others, conflicts);
            List<String> words = pre.split(v.text());
            if (!words.isEmpty() && learnt.keySet().containsAll(words)) {
                int[] expected = words.stream().flatMapToInt(w -> Arrays.stream(learnt.get(w))).toArray();
                if (!Arrays.equals(expected, v.ids())) {
                    conflicts.add(v + ": predicted " + Arrays.toString(expected) + ", llama.cpp " + Arrays.toString(v.ids()));
                }
                predicted++;
            }
        }
        assertThat(conflicts).as(name).isEmpty();
        System.out.printf("%s: %d of %d vectors predicted from the others%n", name, predicted, vectors.size());
        assertThat(predicted).as(name + " vectors predicted from the others").isGreaterThanOrEqualTo(minimumPredicted);
    }

    @ParameterizedTest
    @CsvSource({"llama-bpe, LLAMA3, 30", "qwen2, QWEN2, 50", "gpt-2, GPT2, 25"})
    void noTokenCrossesAWordBoundary(String name, PreTokenizer pre, int minimumChecked) {
        List<VocabVectors.Vector> vectors = VocabVectors.load(name).vectors();
        List<String> conflicts = new ArrayList<>();
        Map<Integer, byte[]> tokenBytes = TokenBytes.learn(vectors, conflicts);
        int checked = 0;
        for (VocabVectors.Vector v : vectors) {
            TokenBytes.Spans spans = TokenBytes.spans(v, tokenBytes);
            for (int boundary : wordBoundaries(pre.split(v.text()))) {
                if (spans.crossed(boundary)) {
                    conflicts.add(v + ": a token of llama.cpp spans the word boundary at byte " + boundary);
                } else if (spans.known(boundary)) {
                    checked++;
                }
            }
        }
        assertThat(conflicts).as(name).isEmpty();
        System.out.printf("%s: %d token texts learnt, %d word boundaries confirmed%n", name, tokenBytes.size(), checked);
        assertThat(checked).as(name + " word boundaries confirmed").isGreaterThanOrEqualTo(minimumChecked);
    }

    /** Byte offsets where one word ends and the next begins. */
    private static List<Integer> wordBoundaries(List<String> words) {
        List<Integer> boundaries = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i + 1 < words.size(); i++) {
            offset += words.get(i).getBytes(StandardCharsets.UTF_8).length;
            boundaries.add(offset);
        }
        return boundaries;
    }

    private static Map<String, int[]> learn(PreTokenizer pre, List<VocabVectors.Vector> vectors, List<String> conflicts) {
        Map<String, int[]> learnt = new HashMap<>();
        for (boolean changed = true; changed; ) {
            changed = false;
            for (VocabVectors.Vector v : vectors) {
                List<String> words = pre.split(v.text());
                List<Integer> unknown = new ArrayList<>();
                for (int i = 0; i < words.size(); i++) {
                    if (!learnt.containsKey(words.get(i))) {
                        unknown.add(i);
                    }
                }
                if (unknown.size() > 1) {
                    continue;
                }
                int from = 0;
                int to = v.ids().length;
                int split = unknown.isEmpty() ? words.size() : unknown.getFirst();
                boolean consistent = true;
                for (int i = 0; i < split && consistent; i++) {
                    int[] ids = learnt.get(words.get(i));
                    consistent = from + ids.length <= to && Arrays.equals(ids, Arrays.copyOfRange(v.ids(), from, from + ids.length));
                    from += ids.length;
                }
                for (int i = words.size() - 1; i > split && consistent; i--) {
                    int[] ids = learnt.get(words.get(i));
                    consistent = to - ids.length >= from && Arrays.equals(ids, Arrays.copyOfRange(v.ids(), to - ids.length, to));
                    to -= ids.length;
                }
                if (!consistent || (unknown.isEmpty() && from != to) || (!unknown.isEmpty() && from >= to)) {
                    conflicts.add(v + ": its ids do not fit the words " + words);
                } else if (!unknown.isEmpty()) {
                    learnt.put(words.get(split), Arrays.copyOfRange(v.ids(), from, to));
                    changed = true;
                }
            }
        }
        return learnt;
    }
}
