package dev.morphserve.cli;

import dev.morphserve.model.Llama2cCheckpoint;
import dev.morphserve.model.Llama2cConverter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code morphserve convert}: a llama2.c checkpoint and tokenizer to an F32 GGUF file. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Convert a legacy llama2.c checkpoint (+ tokenizer.bin) into an F32 GGUF file.")
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "llama2.c checkpoint (.bin, legacy format)")
    Path checkpoint;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "llama2.c tokenizer (tokenizer.bin, tok512.bin)")
    Path tokenizer;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "GGUF file to write")
    Path output;

    @Option(names = "--name", paramLabel = "NAME", description = "general.name (default: the checkpoint's file name)")
    String name;

    @Override
    public Integer call() throws IOException {
        Llama2cConverter.Result r = name == null
                ? Llama2cConverter.convert(checkpoint, tokenizer, output)
                : Llama2cConverter.convert(checkpoint, tokenizer, output, name);
        Llama2cCheckpoint.Header h = r.header();
        spec.commandLine().getOut().printf(
                "wrote %s: GGUF v3, %d F32 tensors, %,d bytes%n"
                        + "  llama: dim %d, layers %d, heads %d (kv %d), ffn %d, vocab %d, context %d, %s classifier%n",
                r.output(), r.tensorCount(), r.fileBytes(), h.dim(), h.nLayers(), h.nHeads(), h.nKvHeads(),
                h.hiddenDim(), h.vocabSize(), h.seqLen(), h.sharedClassifier() ? "shared" : "separate");
        return 0;
    }
}
