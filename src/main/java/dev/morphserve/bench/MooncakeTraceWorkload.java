package dev.morphserve.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Mooncake FAST'25 trace: one JSON object a line with {@code timestamp} (ms), {@code input_length},
 * {@code output_length} and {@code hash_ids}. The prefix-block ids are not replayed: our prompts are
 * random token ids, so prefix sharing is not reproduced (said in the report's workload line).
 */
public record MooncakeTraceWorkload(Path file, TraceWindow window) implements Workload {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public List<TimedRequest> requests() throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return window.apply(parse(reader, file.toString()));
        }
    }

    @Override
    public String describe() {
        return "Mooncake trace " + file.getFileName() + " (prefix sharing not replayed), " + window.describe();
    }

    /** Rows as offsets in ms from the earliest timestamp, in file order. */
    static List<TimedRequest> parse(Reader source, String name) throws IOException {
        BufferedReader reader = source instanceof BufferedReader b ? b : new BufferedReader(source);
        List<double[]> rows = new ArrayList<>();
        String line;
        int lineNumber = 0;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IOException(name + ":" + lineNumber + ": not JSON: " + e.getOriginalMessage(), e);
            }
            rows.add(new double[] {
                required(node, "timestamp", name, lineNumber).asDouble(),
                required(node, "input_length", name, lineNumber).asInt(),
                required(node, "output_length", name, lineNumber).asInt()
            });
        }
        double originMs = rows.stream().mapToDouble(r -> r[0]).min().orElse(0);
        List<TimedRequest> out = new ArrayList<>(rows.size());
        for (double[] r : rows) {
            out.add(new TimedRequest(r[0] - originMs, (int) r[1], (int) r[2]));
        }
        return out;
    }

    private static JsonNode required(JsonNode node, String field, String name, int lineNumber) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IOException(name + ":" + lineNumber + ": missing numeric field '" + field + "'");
        }
        return value;
    }
}
