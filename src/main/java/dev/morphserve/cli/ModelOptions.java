package dev.morphserve.cli;

import dev.morphserve.backend.Backend;
import dev.morphserve.backend.BackendKind;
import dev.morphserve.backend.Backends;
import dev.morphserve.backend.KernelKind;
import dev.morphserve.kvcache.KvType;
import dev.morphserve.model.LoadedModel;
import dev.morphserve.model.ModelLoader;
import java.io.IOException;
import picocli.CommandLine.Option;

/** Options every command that runs a model shares. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, description = "GGUF model: a file, hf:owner/repo/file.gguf (downloaded once), or synth:SHAPE:TYPE (random weights, written once to the temp directory). Required.")
    String model;

    @Option(names = {"-c", "--context"}, defaultValue = "0",
            description = "Context length in tokens (default: the model's context_length).")
    int contextLength;

    @Option(names = {"-t", "--threads"}, description = "Worker threads (default: available cores).")
    Integer threads;

    @Option(names = "--kernels", defaultValue = "VECTOR",
            description = "Kernel implementation: ${COMPLETION-CANDIDATES} (SCALAR is the slow reference).")
    KernelKind kernels;

    @Option(names = "--backend", defaultValue = "AUTO",
            description = "Where the model runs: ${COMPLETION-CANDIDATES} (AUTO: CUDA when a GPU is usable, else the CPU).")
    BackendKind backend;

    @Option(names = "--kv-type", defaultValue = "F16",
            description = "Element type of the KV cache: ${COMPLETION-CANDIDATES} (F32: CPU backend only).")
    KvType kvType;

    /** The backend asked for; its one-line description goes to stderr. */
    Backend openBackend() {
        Backend b = Backends.create(backend, threadCount(), kernels, kvType);
        System.err.println("backend: " + b.description());
        return b;
    }

    LoadedModel load() throws IOException {
        if (contextLength < 0) {
            throw new IllegalArgumentException("--context must be positive, got " + contextLength);
        }
        if (model == null) {
            throw new IllegalArgumentException("--model is required (a GGUF file or hf:owner/repo/file.gguf)");
        }
        return ModelLoader.load(ModelFiles.resolve(model), contextLength);
    }

    int threadCount() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
