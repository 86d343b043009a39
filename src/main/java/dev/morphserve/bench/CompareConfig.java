package dev.morphserve.bench;

import java.util.Locale;

/**
 * The four ways {@code bench compare} serves the same load under the same memory budget (the
 * paper's comparison): full precision with morphing off, every layer swapped from the start (static
 * quantization at the lowest level given the whole budget as KV), and the controller in each of its modes.
 */
public enum CompareConfig {
    OFF("off", "full precision (morph off)"),
    STATIC("static", "static low precision (every layer swapped)"),
    ACCURACY("accuracy", "morph accuracy"),
    BALANCED("balanced", "morph balanced"),
    PERFORMANCE("performance", "morph performance");

    private final String id;
    private final String label;

    CompareConfig(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Short name for files and command lines. */
    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    /** The controller mode the server runs in; static stands the controller still (manual) after swapping every layer. */
    public String controllerMode() {
        return this == STATIC ? "manual" : id;
    }

    public static CompareConfig parse(String id) {
        for (CompareConfig c : values()) {
            if (c.id.equals(id.strip().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown configuration '" + id + "': use off, static, accuracy, balanced or performance");
    }
}
