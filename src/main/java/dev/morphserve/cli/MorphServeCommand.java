package dev.morphserve.cli;

import picocli.CommandLine.Command;

@Command(
        name = "morphserve",
        mixinStandardHelpOptions = true,
        version = "MorphServe-J 0.1.0",
        description = "Workload-aware LLM server for GGUF models.",
        subcommands = {
            ServeCommand.class,
            GenerateCommand.class,
            PerplexityCommand.class,
            BenchCommand.class,
            SynthCommand.class,
            QuantizeCommand.class,
            ConvertCommand.class,
            ProfileCommand.class,
            InspectCommand.class
        })
public final class MorphServeCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
