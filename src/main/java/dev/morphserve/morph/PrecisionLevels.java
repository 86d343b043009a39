package dev.morphserve.morph;

import dev.morphserve.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The precisions a layer steps through below its base, highest first (the paper's INT8 then INT4
 * variants: {@code Q8_0,Q4_0}). Level 0 is the base; level {@code i + 1} is {@code types.get(i)}.
 */
public record PrecisionLevels(List<GgmlType> types) {
    private static final List<GgmlType> SUPPORTED = List.of(GgmlType.Q8_0, GgmlType.Q4_0);

    public PrecisionLevels {
        if (types.isEmpty()) {
            throw new IllegalArgumentException("morphserve.morph.levels needs at least one type, e.g. Q4_0 or Q8_0,Q4_0");
        }
        for (int i = 0; i < types.size(); i++) {
            GgmlType t = types.get(i);
            if (!SUPPORTED.contains(t)) {
                throw new IllegalArgumentException("morphserve.morph.levels: " + t + " is not a low precision this server makes; use Q8_0 and/or Q4_0");
            }
            if (i > 0 && SUPPORTED.indexOf(t) <= SUPPORTED.indexOf(types.get(i - 1))) {
                throw new IllegalArgumentException("morphserve.morph.levels must go from higher to lower precision without repeats, got " + types);
            }
        }
        types = List.copyOf(types);
    }

    /** Parses {@code "Q8_0,Q4_0"} (any case, spaces allowed). */
    public static PrecisionLevels parse(String list) {
        List<GgmlType> types = new ArrayList<>();
        for (String part : list.split(",")) {
            String name = part.strip().toUpperCase(Locale.ROOT);
            try {
                types.add(GgmlType.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("morphserve.morph.levels: unknown type '" + part.strip() + "'; use Q8_0 and/or Q4_0, e.g. Q8_0,Q4_0");
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
