package dev.morphserve.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.testing.JarProcess;
import dev.morphserve.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's commands, end to end, as a user runs them. */
class CliIT {
    @TempDir
    Path tmp;

    @Test
    void generateReproducesLlama2cGreedyText() throws Exception {
        var golden = SharedData.golden().get("greedy").get(0);
        var out = JarProcess.run(120, "generate", "--model", SharedData.storiesGguf().toString(),
                "--context", "512", "--prompt", "", "--max-tokens", "256", "--temperature", "0");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).isEqualTo(golden.get("text").asText() + System.lineSeparator());
    }

    @Test
    void convertThenPerplexityOnStories() throws Exception {
        Path gguf = tmp.resolve("stories.gguf");
        var convert = JarProcess.run(60, "convert", "--checkpoint", SharedData.require("models/stories260K/stories260K.bin").toString(),
                "--tokenizer", SharedData.require("models/stories260K/tok512.bin").toString(), "--output", gguf.toString());
        assertThat(convert.exitCode()).as(convert.stderr()).isZero();
        var ppl = JarProcess.run(120, "perplexity", "--model", gguf.toString(),
                "--file", SharedData.require("data/tinystories_validation_head.txt").toString(), "--chars", "20000");
        assertThat(ppl.exitCode()).as(ppl.stderr()).isZero();
        assertThat(ppl.stdout()).containsPattern("mean_nll 1\\.[0-9]+").containsPattern("perplexity [0-9.]+");
    }

    @Test
    void synthQuantizeInspectGenerateBench() throws Exception {
        Path f16 = tmp.resolve("tiny-f16.gguf");
        Path q4 = tmp.resolve("tiny-q4_0.gguf");
        var synth = JarProcess.run(60, "synth", "--shape", "small", "--type", "F16", "--output", f16.toString());
        assertThat(synth.exitCode()).as(synth.stderr()).isZero();
        var quantize = JarProcess.run(60, "quantize", "--model", f16.toString(), "--type", "Q4_0", "--output", q4.toString());
        assertThat(quantize.exitCode()).as(quantize.stderr()).isZero();
        assertThat(quantize.stdout()).contains("converted to Q4_0");

        var inspect = JarProcess.run(30, "inspect", q4.toString());
        assertThat(inspect.exitCode()).as(inspect.stderr()).isZero();
        assertThat(inspect.stdout()).contains("blk.3.ffn_down.weight").contains("Q4_0");

        var generate = JarProcess.run(60, "generate", "--model", q4.toString(), "--prompt", "hello",
                "--max-tokens", "8", "--temperature", "0.8", "--seed", "3", "--ids");
        assertThat(generate.exitCode()).as(generate.stderr()).isZero();
        assertThat(generate.stdout()).startsWith("hello").contains("ids: [");

        var bench = JarProcess.run(120, "bench", "--model", q4.toString(), "--threads", "2",
                "--prompt-tokens", "32", "--gen-tokens", "8", "--repetitions", "1");
        assertThat(bench.exitCode()).as(bench.stderr()).isZero();
        assertThat(bench.stdout()).containsPattern("\\| pp32 \\| [0-9.]+").containsPattern("\\| tg8 \\| [0-9.]+");
    }

    @Test
    void badModelFileGivesOneLineError() throws Exception {
        Path bogus = tmp.resolve("bogus.gguf");
        java.nio.file.Files.writeString(bogus, "this is not a model");
        var out = JarProcess.run(30, "generate", "--model", bogus.toString(), "--prompt", "x");
        assertThat(out.exitCode()).isEqualTo(1);
        // The JVM itself warns that an incubator module is in use; everything else is our one line.
        var lines = out.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(lines).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("error: generate: ")
                .contains("not a GGUF file");
    }

    @Test
    void askingForCudaOnAMachineWithoutAGpuGivesOneLineError() throws Exception {
        // This test's JVM loads no stand-in driver: here, as on any machine without a GPU, cuInit fails.
        var out = JarProcess.run(60, "generate", "--backend", "cuda", "--model", SharedData.storiesGguf().toString(),
                "--prompt", "x", "--max-tokens", "1");
        assertThat(out.exitCode()).as(out.stderr()).isEqualTo(1);
        var lines = out.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(lines).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("error: generate: ")
                .contains("the CUDA backend needs an NVIDIA GPU")
                .contains("--backend cpu");
    }

    @Test
    void askingForAnF32KvCacheOnCudaGivesOneLineError() throws Exception {
        var out = JarProcess.run(60, "generate", "--backend", "cuda", "--kv-type", "f32", "--model", SharedData.storiesGguf().toString(),
                "--prompt", "x", "--max-tokens", "1");
        assertThat(out.exitCode()).as(out.stderr()).isEqualTo(1);
        var lines = out.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(lines).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("error: generate: ")
                .contains("F16 only")
                .contains("--kv-type f16");
    }

    @Test
    void benchDecodesAfterAPrefilledContextWithTheKvTypeAskedFor() throws Exception {
        var env = java.util.Map.of("MORPHSERVE_CACHE", tmp.toString());
        var bench = JarProcess.run(env, 120, "bench", "--backend", "cpu", "--kv-type", "f32", "--model", "synth:tiny:Q8_0",
                "--prompt-tokens", "16", "--gen-tokens", "4", "--depth", "40", "--repetitions", "1");
        assertThat(bench.exitCode()).as(bench.stderr()).isZero();
        assertThat(bench.stdout()).contains("F32 KV").containsPattern("\\| tg4 @ d40 \\| [0-9.]+");
        assertThat(bench.stderr()).contains("F32 KV cache");
    }

    @Test
    void benchOnASynthModelWritesItOnceIntoTheCache() throws Exception {
        var env = java.util.Map.of("MORPHSERVE_CACHE", tmp.toString());
        var bench = JarProcess.run(env, 120, "bench", "--backend", "cpu", "--model", "synth:tiny:Q8_0", "--prompt-tokens", "16",
                "--gen-tokens", "4", "--repetitions", "1");
        assertThat(bench.exitCode()).as(bench.stderr()).isZero();
        assertThat(bench.stdout()).contains("| tiny-Q8_0.gguf | cpu, ").containsPattern("\\| tg4 \\| [0-9.]+");
        assertThat(tmp.resolve("synth/tiny-Q8_0.gguf")).isRegularFile();
    }
}
