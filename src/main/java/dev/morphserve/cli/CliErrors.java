package dev.morphserve.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** One-line messages for the failures a user can fix (bad path, bad file), without stack traces. */
final class CliErrors {
    private CliErrors() {}

    static String describe(Exception e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file: " + n.getFile() + (n.getReason() != null ? " (" + n.getReason() + ")" : "");
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
