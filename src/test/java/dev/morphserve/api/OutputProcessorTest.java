package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import dev.morphserve.model.ModelShape;
import dev.morphserve.model.SyntheticModel;
import dev.morphserve.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detokenization and stop strings over the synthetic model's real tokenizer. */
class OutputProcessorTest {
    @TempDir
    static Path dir;

    static LoadedModel model;
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        SyntheticModel.write(ModelShape.TINY, GgmlType.F32, 3, file, n -> {});
        model = ModelLoader.load(file);
        tokenizer = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private int id(String piece) {
        return tokenizer.vocabulary().idOf(piece);
    }

    /** Feeds the pieces; returns what was released per token, then the flush as the last element. */
    private List<String> run(List<String> stops, String... pieces) {
        OutputProcessor p = new OutputProcessor(tokenizer, stops, id("a"));
        List<String> out = new ArrayList<>();
        for (String piece : pieces) {
            out.add(p.accept(id(piece)));
            if (p.stopped()) {
                return out;
            }
        }
        out.add(p.finish());
        return out;
    }

    @Test
    void withoutStopsTextIsReleasedAsItComes() {
        assertThat(run(List.of(), "▁ba", "▁ca")).containsExactly(" ba", " ca", "");
    }

    @Test
    void possibleStopPrefixIsHeldBackThenReleasedWhenItDoesNotMatch() {
        // Each token ends in "a", which could start "a x": it waits for the next token.
        assertThat(run(List.of("a x"), "▁ba", "▁ca", "▁da")).containsExactly(" b", "a c", "a d", "a");
    }

    @Test
    void stopSpanningTokensCutsBeforeItsStart() {
        assertThat(String.join("", run(List.of("a c"), "▁ba", "▁ca", "▁da"))).isEqualTo(" b");
    }

    @Test
    void heldBackPrefixIsReleasedAtTheEnd() {
        assertThat(run(List.of("a z"), "▁ba")).containsExactly(" b", "a");
    }

    @Test
    void multiByteCharacterSplitOverByteTokensIsNotCut() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        String[] pieces = new String[euro.length];
        for (int i = 0; i < euro.length; i++) {
            pieces[i] = String.format("<0x%02X>", euro[i] & 0xFF);
        }
        assertThat(run(List.of(), pieces)).containsExactly("", "", "€", "");
    }

    @Test
    void stopAtTheVeryStartGivesNothing() {
        assertThat(String.join("", run(List.of(" ba"), "▁ba", "▁ca"))).isEmpty();
    }

    @Test
    void firstTokenAfterBosLosesItsLeadingSpace() throws Exception {
        OutputProcessor p = new OutputProcessor(tokenizer, List.of(), tokenizer.vocabulary().bosId());
        assertThat(p.accept(id("▁ba"))).isEqualTo("ba");
        assertThat(Files.exists(dir)).isTrue();
    }
}
