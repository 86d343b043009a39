package dev.morphserve.cli;

import dev.morphserve.backend.KernelKind;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that runs a model shares. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file.")
    Path model;

    @Option(names = {"-t", "--threads"}, description = "Worker threads (default: available cores).")
    Integer threads;

    @Option(names = "--kernels", defaultValue = "VECTOR",
            description = "Kernel implementation: ${COMPLETION-CANDIDATES} (SCALAR is the slow reference).")
    KernelKind kernels;

    int threadCount() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
