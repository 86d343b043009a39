package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.GgufAssertions;
import dev.morphserve.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantize --type Q4_K_M} end to end, and the errors a user sees for targets we cannot write. */
class QuantizeCommandTest {
    private static final String REFS = "models/refs/models/";

    @Test
    void q4_K_M_ofTheF16Reference_isLlamaQuantizesFile(@TempDir Path tmp) throws Exception {
        Path source = SharedData.require(REFS + "ref-llama-F16.gguf");
        Path reference = SharedData.require(REFS + "ref-llama-Q4_K_M.gguf");
        Path out = tmp.resolve("q4_k_m.gguf");
        var run = GgufCommandsTest.run("quantize", "--model", source.toString(), "--type", "Q4_K_M", "--output", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("converted to Q4_K_M").contains("matrices Q4_K:25 Q6_K:5");
        GgufAssertions.assertSameTensors(out, reference, 15);
    }

    @Test
    void unsupportedTargets_giveOneLineErrorsNamingTheTargets(@TempDir Path tmp) {
        String model = tmp.resolve("in.gguf").toString();
        String out = tmp.resolve("out.gguf").toString();
        var unknown = GgufCommandsTest.run("quantize", "--model", model, "--type", "Q4_K_X", "--output", out);
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("--type: unknown quantization target 'Q4_K_X'").contains("Q4_K_M, Q4_K_S");
        var noEncoder = GgufCommandsTest.run("quantize", "--model", model, "--type", "IQ2_XXS", "--output", out);
        assertThat(noEncoder.err()).contains("cannot quantize a model to IQ2_XXS");
        var noMix = GgufCommandsTest.run("quantize", "--model", model, "--type", "Q3_K", "--mix", "--output", out);
        assertThat(noMix.err()).contains("no llama.cpp mix for Q3_K");
    }
}
