package dev.morphserve.cli;

import dev.morphserve.gguf.GgmlType;
import dev.morphserve.gguf.GgufFile;
import dev.morphserve.gguf.GgufTensorInfo;
import dev.morphserve.gguf.GgufValue;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code morphserve inspect}: what a GGUF file holds, without loading its weights. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Print a GGUF file's header, metadata and tensor table.")
public final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "GGUF file")
    Path positional;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF file (instead of the positional argument)")
    Path model;

    @Option(names = "--array-items", defaultValue = "5", paramLabel = "N",
            description = "array elements shown before the count (default: ${DEFAULT-VALUE})")
    int arrayItems;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if ((positional == null) == (model == null)) {
            err.println("inspect: give the GGUF file either as MODEL or as --model, once");
            return 2;
        }
        Path path = model != null ? model : positional;
        try (GgufFile g = GgufFile.open(path)) {
            print(g, spec.commandLine().getOut());
            return 0;
        }
    }

    private void print(GgufFile g, PrintWriter out) {
        out.printf("%s: GGUF v%d, %,d bytes, alignment %d, data section at byte %,d%n",
                g.path(), g.version(), g.fileSizeBytes(), g.alignment(), g.dataSectionOffset());

        out.printf("%nmetadata (%d keys)%n", g.metadata().size());
        int keyWidth = g.metadata().keys().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, GgufValue> e : g.metadata().asMap().entrySet()) {
            GgufValue v = e.getValue();
            out.printf("  %-" + keyWidth + "s  %-7s  %s%n", e.getKey(), v.type(), v.display(arrayItems));
        }

        out.printf("%ntensors (%d)%n", g.tensors().size());
        int nameWidth = Math.max(4, g.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0));
        out.printf("  %-" + nameWidth + "s  %-7s  %-22s  %14s%n", "name", "type", "shape (ne)", "bytes");
        long totalElements = 0;
        long totalBytes = 0;
        Map<GgmlType, Long> bytesByType = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : g.tensors()) {
            out.printf("  %-" + nameWidth + "s  %-7s  %-22s  %,14d%n", t.name(), t.type(), Arrays.toString(t.ne()),
                    t.byteSize());
            totalElements += t.numElements();
            totalBytes += t.byteSize();
            bytesByType.merge(t.type(), t.byteSize(), Long::sum);
        }
        String byType = bytesByType.entrySet().stream()
                .map(e -> e.getKey() + " " + humanBytes(e.getValue()))
                .collect(Collectors.joining(", "));
        out.printf("%ntotal: %d tensors, %,d elements, %,d bytes (%s)%s%n", g.tensors().size(), totalElements,
                totalBytes, humanBytes(totalBytes), byType.isEmpty() ? "" : "; by type: " + byType);
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
