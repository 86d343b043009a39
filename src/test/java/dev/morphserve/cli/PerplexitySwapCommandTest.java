package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PerplexitySwapCommandTest {
    private static CommandRun perplexity(String... extra) {
        Path model = SharedData.storiesGguf();
        Path text = SharedData.require("data/tinystories_validation_head.txt");
        String[] base = {"--model", model.toString(), "--context", "512", "--file", text.toString(), "--chars", "6000",
            "--threads", "2"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        CommandRun run = CommandRun.of(new PerplexityCommand(), args);
        assertThat(run.code()).as(run.err()).isZero();
        return run;
    }

    private static String numbers(CommandRun run) {
        return run.out().substring(run.out().indexOf("tokens "));
    }

    @Test
    void swappedLayersAreReportedAndChangeThePerplexity() {
        CommandRun plain = perplexity();
        assertThat(plain.out()).doesNotContain("low_precision_layers").containsPattern("(?m)^perplexity \\d+\\.\\d{4}$");

        CommandRun none = perplexity("--swap-order", "front", "--swap-count", "0");
        assertThat(none.out()).contains("low_precision_layers none (Q4_0; front-to-back)");
        assertThat(numbers(none)).isEqualTo(numbers(plain));

        CommandRun two = perplexity("--swap-layers", "3,0");
        assertThat(two.out()).contains("low_precision_layers 0,3 (Q4_0; --swap-layers)");
        assertThat(numbers(two)).isNotEqualTo(numbers(plain));

        CommandRun random = perplexity("--swap-order", "random", "--swap-count", "5", "--seed", "4", "--low-type", "Q8_0");
        assertThat(random.out()).contains("(Q8_0; random (seed 4))");
        assertThat(numbers(random)).isNotEqualTo(numbers(plain));
    }

    @Test
    void conflictingOrOutOfRangeSwapOptionsAreErrors() {
        Path model = SharedData.storiesGguf();
        Path text = SharedData.require("data/tinystories_validation_head.txt");
        CommandRun both = CommandRun.of(new PerplexityCommand(), "--model", model.toString(), "--file", text.toString(),
                "--chars", "100", "--swap-layers", "1", "--swap-count", "2");
        assertThat(both.code()).isNotZero();
        assertThat(both.err()).contains("cannot be combined");
        CommandRun range = CommandRun.of(new PerplexityCommand(), "--model", model.toString(), "--file", text.toString(),
                "--chars", "100", "--swap-layers", "7");
        assertThat(range.err()).contains("layer 7 does not exist");
    }

    @Test
    void progressIsPlainLinesWhenStderrIsNoTerminal() {
        // CommandRun's stderr is a StringWriter and this JVM's stderr a pipe: no terminal anywhere.
        CommandRun run = CommandRun.of(new PerplexityCommand(), "--model", SharedData.storiesGguf().toString(), "--context", "512",
                "--file", SharedData.require("data/tinystories_validation_head.txt").toString(), "--chars", "6000",
                "--threads", "2", "--backend", "cpu");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain("\r", "\u001b[")
                .containsPattern("(?m)^perplexity 0% 0/\\d+ tok$")
                .containsPattern("(?m)^perplexity done: \\d+ tok in \\d+\\.\\d s$");
        var lines = run.err().lines().filter(l -> l.startsWith("perplexity ")).toList();
        assertThat(lines).as(run.err()).hasSizeBetween(2, 12).allSatisfy(l -> assertThat(l).matches(
                "perplexity (\\d{1,2}0?% \\d+/\\d+ tok( \\(\\d+\\.\\d s\\))?|done: \\d+ tok in \\d+\\.\\d s)"));
    }
}
