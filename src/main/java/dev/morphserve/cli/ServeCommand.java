package dev.morphserve.cli;

import dev.morphserve.backend.BackendKind;
import dev.morphserve.kvcache.KvType;
import io.quarkus.runtime.Quarkus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Starts the OpenAI-compatible HTTP server (health under /q/health).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: morphserve.model).")
    Path model;

    @Option(names = "--port", description = "HTTP port (default 8080).")
    Integer port;

    @Option(names = "--host", description = "Interface to listen on (default: morphserve.host, 127.0.0.1; 0.0.0.0 for all).")
    String host;

    @Option(names = "--api-key", split = ",", description = "Keys clients must send as 'Authorization: Bearer KEY' (default: morphserve.api-keys,"
            + " none). Visible in the process list: prefer MORPHSERVE_API_KEYS on shared machines.")
    List<String> apiKeys;

    @Option(names = "--admin-api-key", split = ",", description = "Keys for state changes (POST /v1/morph) (default: morphserve.admin-api-keys).")
    List<String> adminApiKeys;

    @Option(names = {"-c", "--context"}, description = "Context length in tokens (default: the model's).")
    Integer contextLength;

    @Option(names = {"-t", "--threads"}, description = "Worker threads (default: available cores).")
    Integer threads;

    @Option(names = "--backend", description = "Where the model runs: CPU, CUDA or AUTO (default: morphserve.backend, AUTO).")
    BackendKind backend;

    @Option(names = "--kv-type", description = "Element type of the KV cache: F16 or F32, F32 on the CPU backend only (default: morphserve.kv-type, F16).")
    KvType kvType;

    @Override
    public Integer call() {
        // The command line is one more configuration source: hand it to Quarkus as system
        // properties, which outrank application.properties and the environment.
        if (model != null) {
            System.setProperty("morphserve.model", model.toString());
        }
        if (port != null) {
            System.setProperty("quarkus.http.port", port.toString());
        }
        if (host != null) {
            System.setProperty("morphserve.host", host);
        }
        if (apiKeys != null) {
            System.setProperty("morphserve.api-keys", String.join(",", apiKeys));
        }
        if (adminApiKeys != null) {
            System.setProperty("morphserve.admin-api-keys", String.join(",", adminApiKeys));
        }
        if (contextLength != null) {
            System.setProperty("morphserve.context-length", contextLength.toString());
        }
        if (threads != null) {
            System.setProperty("morphserve.threads", threads.toString());
        }
        if (backend != null) {
            System.setProperty("morphserve.backend", backend.name());
        }
        if (kvType != null) {
            System.setProperty("morphserve.kv-type", kvType.name());
        }
        // Quarkus calls this instead of System.exit, so a failed start comes back here and is
        // reported as one paragraph (its own log record of it is dropped by StartupFailureLogFilter).
        int[] exitCode = {0};
        Throwable[] failure = {null};
        Quarkus.run(ServeApplication.class, (code, cause) -> {
            exitCode[0] = code;
            failure[0] = cause;
        });
        if (failure[0] != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(StartupFailure.describe(failure[0]));
            if (DebugMode.enabled()) {
                failure[0].printStackTrace(err);
            }
            err.flush();
            return exitCode[0] != 0 ? exitCode[0] : 1;
        }
        return exitCode[0];
    }
}
