package dev.morphserve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole result of a run: configuration, length mapping, metrics, every request's record, and
 * the server's morph state sampled over the run (empty for servers that do not expose it).
 */
public record BenchReport(BenchConfig config, LengthMapping lengthMapping, ServingMetrics metrics, List<RequestRecord> requests,
        List<ServerStateSampler.ServerSample> serverState) {

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }
}
