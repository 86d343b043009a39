package dev.morphserve.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/**
 * The Azure LLM inference trace 2023 (Splitwise): CSV with {@code TIMESTAMP,ContextTokens,GeneratedTokens},
 * timestamps like {@code 2023-11-16 18:15:46.6805900}. Arrival offsets are measured from the earliest
 * row (the first row: the published files are sorted), then cut and sped up by the {@link TraceWindow}.
 */
public record AzureTraceWorkload(Path file, TraceWindow window) implements Workload {

    // The files carry 7 fractional digits; accept 0..9 so that a re-exported trace still parses.
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .toFormatter();

    @Override
    public List<TimedRequest> requests() throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return window.apply(parse(reader, file.toString()));
        }
    }

    @Override
    public String describe() {
        return "Azure trace " + file.getFileName() + ", " + window.describe();
    }

    /** Rows as offsets in ms from the earliest timestamp, in file order. */
    static List<TimedRequest> parse(Reader source, String name) throws IOException {
        BufferedReader reader = source instanceof BufferedReader b ? b : new BufferedReader(source);
        String header = reader.readLine();
        if (header == null) {
            return List.of();
        }
        int[] columns = columns(header.strip(), name);
        List<long[]> rows = new ArrayList<>(); // {epochNanos, context, generated}
        String line;
        int lineNumber = 1;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            try {
                LocalDateTime time = LocalDateTime.parse(cells[columns[0]].strip(), TIMESTAMP);
                long nanos = time.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + time.getNano();
                rows.add(new long[] {nanos, Long.parseLong(cells[columns[1]].strip()), Long.parseLong(cells[columns[2]].strip())});
            } catch (DateTimeParseException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IOException(name + ":" + lineNumber + ": cannot parse row '" + line + "': " + e.getMessage(), e);
            }
        }
        long originNanos = rows.stream().mapToLong(r -> r[0]).min().orElse(0);
        List<TimedRequest> out = new ArrayList<>(rows.size());
        for (long[] r : rows) {
            out.add(new TimedRequest((r[0] - originNanos) / 1e6, Math.toIntExact(r[1]), Math.toIntExact(r[2])));
        }
        return out;
    }

    /** Column positions of TIMESTAMP, ContextTokens, GeneratedTokens (by name, so column order may vary). */
    private static int[] columns(String header, String name) throws IOException {
        List<String> names = List.of(header.replace("\uFEFF", "").split(","));
        int[] idx = {indexOf(names, "TIMESTAMP"), indexOf(names, "ContextTokens"), indexOf(names, "GeneratedTokens")};
        for (int i : idx) {
            if (i < 0) {
                throw new IOException(name + ": expected header TIMESTAMP,ContextTokens,GeneratedTokens, got '" + header + "'");
            }
        }
        return idx;
    }

    private static int indexOf(List<String> names, String wanted) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).strip().equalsIgnoreCase(wanted)) {
                return i;
            }
        }
        return -1;
    }
}
