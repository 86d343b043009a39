package dev.morphserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.morphserve.testing.SharedData;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceParsersTest {

    @Test
    void azureRowsBecomeOffsetsFromTheFirstRowWithSevenDigitFractions() throws IOException {
        String csv = """
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:15:46.6805900,374,44
                2023-11-16 18:15:50.9951690,396,109
                2023-11-16 18:16:46.6805901,1,2
                """;
        List<TimedRequest> rows = AzureTraceWorkload.parse(new StringReader(csv), "inline");

        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isEqualTo(new TimedRequest(0, 374, 44));
        assertThat(rows.get(1).arrivalMs()).isCloseTo(4314.579, within(1e-6));
        assertThat(rows.get(1).promptTokens()).isEqualTo(396);
        assertThat(rows.get(1).outputTokens()).isEqualTo(109);
        // 100 ns resolution survives: 60 s + 0.0001 ms.
        assertThat(rows.get(2).arrivalMs()).isCloseTo(60_000.0001, within(1e-7));
    }

    @Test
    void azureAcceptsWholeSecondsReorderedColumnsAndCrlf() throws IOException {
        String csv = "GeneratedTokens,TIMESTAMP,ContextTokens\r\n7,2023-11-16 18:00:00,10\r\n\r\n8,2023-11-16 18:00:01.5,20\r\n";
        List<TimedRequest> rows = AzureTraceWorkload.parse(new StringReader(csv), "inline");
        assertThat(rows).containsExactly(new TimedRequest(0, 10, 7), new TimedRequest(1500, 20, 8));
    }

    @Test
    void azureNamesTheLineOfABadRow() {
        String csv = "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,10,1\n2023-11-16 xx,10,1\n";
        assertThatThrownBy(() -> AzureTraceWorkload.parse(new StringReader(csv), "t.csv"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("t.csv:3");
        assertThatThrownBy(() -> AzureTraceWorkload.parse(new StringReader("a,b\n"), "t.csv"))
                .hasMessageContaining("expected header TIMESTAMP,ContextTokens,GeneratedTokens");
    }

    @Test
    void mooncakeRowsKeepMillisecondTimestampsAndIgnoreHashIds() throws IOException {
        String jsonl = """
                {"timestamp": 0, "input_length": 40160, "output_length": 6, "hash_ids": [0, 1, 2]}
                {"timestamp": 0, "input_length": 36640, "output_length": 4, "hash_ids": [3]}

                {"timestamp": 1250, "input_length": 512, "output_length": 83, "hash_ids": []}
                """;
        List<TimedRequest> rows = MooncakeTraceWorkload.parse(new StringReader(jsonl), "inline");
        assertThat(rows).containsExactly(
                new TimedRequest(0, 40160, 6), new TimedRequest(0, 36640, 4), new TimedRequest(1250, 512, 83));
    }

    @Test
    void mooncakeNamesTheLineOfAMissingField() {
        String jsonl = "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n{\"timestamp\": 5, \"input_length\": 1}\n";
        assertThatThrownBy(() -> MooncakeTraceWorkload.parse(new StringReader(jsonl), "m.jsonl"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("m.jsonl:2")
                .hasMessageContaining("output_length");
    }

    @Test
    void realAzureConversationTrace() throws IOException {
        Path file = SharedData.require("traces/AzureLLMInferenceTrace_conv.csv");
        List<TimedRequest> all = new AzureTraceWorkload(file, TraceWindow.ALL).requests();

        assertThat(all).hasSize(19_366);
        assertThat(all.getFirst()).isEqualTo(new TimedRequest(0, 374, 44));
        assertThat(all.getLast().arrivalMs() / 1000).isCloseTo(3501.72, within(0.01));
        assertThat(all).isSortedAccordingTo((a, b) -> Double.compare(a.arrivalMs(), b.arrivalMs()));

        List<TimedRequest> firstMinute = new AzureTraceWorkload(file, new TraceWindow(0, 60, 1)).requests();
        assertThat(firstMinute).hasSize(191);
        assertThat(firstMinute.getLast().arrivalMs()).isLessThan(60_000);
    }

    @Test
    void realAzureCodeTrace() throws IOException {
        Path file = SharedData.require("traces/AzureLLMInferenceTrace_code.csv");
        List<TimedRequest> all = new AzureTraceWorkload(file, TraceWindow.ALL).requests();
        assertThat(all).hasSize(8_819);
        assertThat(all.getFirst()).isEqualTo(new TimedRequest(0, 4808, 10));
        assertThat(all.getLast().arrivalMs() / 1000).isCloseTo(3435.95, within(0.01));
        // Sped up 10x: the hour fits in about 6 minutes.
        List<TimedRequest> fast = new AzureTraceWorkload(file, new TraceWindow(0, Double.POSITIVE_INFINITY, 10)).requests();
        assertThat(fast.getLast().arrivalMs() / 1000).isCloseTo(343.595, within(0.01));
    }

    @Test
    void realMooncakeTrace() throws IOException {
        Path file = SharedData.require("traces/mooncake_fast25_synthetic_trace.jsonl");
        List<TimedRequest> all = new MooncakeTraceWorkload(file, TraceWindow.ALL).requests();
        assertThat(all).hasSize(3_993);
        assertThat(all.getFirst()).isEqualTo(new TimedRequest(0, 40160, 6));
        assertThat(all.getLast().arrivalMs()).isEqualTo(1_022_025);

        List<TimedRequest> window = new MooncakeTraceWorkload(file, new TraceWindow(100, 50, 2)).requests();
        assertThat(window).isNotEmpty();
        assertThat(window.getFirst().arrivalMs()).isZero();
        assertThat(window.getLast().arrivalMs()).isLessThan(25_000);
    }
}
