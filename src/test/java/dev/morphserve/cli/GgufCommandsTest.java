package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GgufCommandsTest {
    static final Path DIR = Path.of("../shared/models/stories260K");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void convertThenInspectStories260K() {
        Assumptions.assumeTrue(Files.exists(DIR.resolve("stories260K.bin")),
                "skipped: " + DIR.toAbsolutePath() + " not found (shared test data absent)");
        Path out = dir.resolve("s.gguf");
        Run convert = run("convert", "--checkpoint", DIR.resolve("stories260K.bin").toString(),
                "--tokenizer", DIR.resolve("tok512.bin").toString(), "--output", out.toString());
        assertThat(convert.code()).as(convert.err()).isZero();
        assertThat(convert.out()).contains("wrote").contains("47 F32 tensors").contains("dim 64, layers 5");

        Run inspect = run("inspect", out.toString(), "--array-items", "3");
        assertThat(inspect.code()).as(inspect.err()).isZero();
        assertThat(inspect.out())
                .contains("GGUF v3")
                .contains("alignment 32")
                .contains("metadata (23 keys)")
                .containsPattern("tokenizer\\.ggml\\.tokens +ARRAY +\\[STRING x512: \"<unk>\", \"<s>\", \"</s>\", \\.\\.\\.\\]")
                .containsPattern("blk\\.0\\.ffn_down\\.weight +F32 +\\[172, 64\\] +44,032")
                .contains("total: 47 tensors, 260,032 elements, 1,040,128 bytes");

        Run byOption = run("inspect", "--model", DIR.resolve("stories260K.gguf").toString());
        assertThat(byOption.code()).isZero();
        assertThat(byOption.out()).contains("output.weight").contains("48 tensors");
    }

    @Test
    void badFilesGiveOneLineErrors() throws Exception {
        Path junk = dir.resolve("junk.gguf");
        Files.writeString(junk, "this is not a model");
        for (Run r : new Run[] {
            run("inspect", junk.toString()),
            run("inspect", dir.resolve("missing.gguf").toString()),
            run("convert", "--checkpoint", junk.toString(), "--tokenizer", junk.toString(), "--output",
                    dir.resolve("o.gguf").toString()),
            run("convert", "--checkpoint", dir.resolve("missing.bin").toString(), "--tokenizer", junk.toString(),
                    "--output", dir.resolve("o.gguf").toString())
        }) {
            assertThat(r.code()).isNotZero();
            assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").isNotEmpty();
        }
        assertThat(run("inspect", junk.toString()).err()).contains("not a GGUF file");
        assertThat(run("inspect", dir.resolve("missing.gguf").toString()).err()).contains("no such file");
        assertThat(run("inspect").code()).isEqualTo(2);
    }
}
