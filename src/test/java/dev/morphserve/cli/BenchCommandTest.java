package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.SharedData;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    private static CommandRun bench(String... extra) {
        String[] base = {"--model", SharedData.storiesGguf().toString(), "--threads", "1", "--backend", "cpu", "-r", "1"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CommandRun.of(new BenchCommand(), args);
    }

    @Test
    void promptTokensZeroMeasuresDecodeOnlyFromBos() {
        CommandRun run = bench("-p", "0", "-n", "16");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("\\| stories260K\\.gguf \\| cpu, 1 threads, [^|]+ \\| tg16 \\| \\d+\\.\\d{2} ± \\d+\\.\\d{2} \\|")
                .contains("weights read per decoded token")
                .doesNotContain("pp0", "NaN", "Infinity");
        assertThat(run.err()).contains("tg16 run 1").doesNotContain("pp0");
    }

    @Test
    void bothTestsByDefaultAndPromptOnlyWithGenTokensZero() {
        CommandRun both = bench("-p", "8", "-n", "4");
        assertThat(both.code()).as(both.err()).isZero();
        assertThat(both.out()).contains("| pp8 |", "| tg4 |");

        CommandRun ppOnly = bench("-p", "8", "-n", "0");
        assertThat(ppOnly.code()).as(ppOnly.err()).isZero();
        assertThat(ppOnly.out()).contains("| pp8 |").doesNotContain("tg0", "weights read per decoded token");
    }

    @Test
    void nothingToMeasureIsAnError() {
        CommandRun run = bench("-p", "0", "-n", "0");
        assertThat(run.code()).isNotZero();
        assertThat(run.err()).contains("not both 0");
        assertThat(bench("-p", "-1").err()).contains("must be >= 0");
    }
}
