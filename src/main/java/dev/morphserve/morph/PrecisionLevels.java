package dev.morphserve.morph;

import dev.morphserve.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The precisions a layer steps through below its base, highest first (the paper's INT8 then INT4
 * variants: {@code Q8_0,Q4_0}; {@code Q4_K} is the 4-bit alternative with llama.cpp's K-quant
 * quality at Q4_0's size). Level 0 is the base; level {@code i + 1} is {@code types.get(i)}. Each level
 * must take fewer bytes per weight than the one above it, or stepping down would free nothing.
 */
public record PrecisionLevels(List<GgmlType> types) {
    /** The low variants this server makes, by falling size: Q8_0 8.5 bits per weight, Q4_K and Q4_0 4.5. */
    private static final List<GgmlType> SUPPORTED = List.of(GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q4_0);
    private static final String USE = "use Q8_0 and/or one of Q4_K, Q4_0, e.g. Q8_0,Q4_0";

    public PrecisionLevels {
        if (types.isEmpty()) {
            throw new IllegalArgumentException("morphserve.morph.levels needs at least one type, e.g. Q4_0 or Q8_0,Q4_0");
        }
        for (int i = 0; i < types.size(); i++) {
            GgmlType t = types.get(i);
            if (!SUPPORTED.contains(t)) {
                throw new IllegalArgumentException("morphserve.morph.levels: " + t + " is not a low precision this server makes; " + USE);
            }
            if (i > 0 && bitsPerWeight(t) >= bitsPerWeight(types.get(i - 1))) {
                throw new IllegalArgumentException("morphserve.morph.levels must go from higher to lower precision, each level"
                        + " smaller than the one above it, got " + types + " (" + types.get(i - 1) + " "
                        + bitsPerWeight(types.get(i - 1)) + " bits per weight, " + t + " " + bitsPerWeight(t) + ")");
            }
        }
        types = List.copyOf(types);
    }

    private static double bitsPerWeight(GgmlType t) {
        return 8.0 * t.typeSize() / t.blockSize();
    }

    /** Parses {@code "Q8_0,Q4_0"} (any case, spaces allowed). */
    public static PrecisionLevels parse(String list) {
        List<GgmlType> types = new ArrayList<>();
        for (String part : list.split(",")) {
            String name = part.strip().toUpperCase(Locale.ROOT);
            try {
                types.add(GgmlType.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("morphserve.morph.levels: unknown type '" + part.strip() + "'; " + USE);
            }
        }
        return new PrecisionLevels(types);
    }

    /** Levels below the base. */
    public int count() {
        return types.size();
    }

    /** The type of level {@code level} (1..count). */
    public GgmlType type(int level) {
        return types.get(level - 1);
    }

    @Override
    public String toString() {
        return String.join(",", types.stream().map(Enum::name).toList());
    }
}
