package dev.morphserve.cli;

/** {@code MORPHSERVE_DEBUG=1} (any non-empty value but 0): errors come with their full stack trace. */
final class DebugMode {
    private DebugMode() {}

    static boolean enabled() {
        String value = System.getenv("MORPHSERVE_DEBUG");
        return value != null && !value.isBlank() && !value.strip().equals("0");
    }
}
