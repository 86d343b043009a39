package dev.morphserve.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.BindException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The paragraph {@code serve} prints when the server cannot start: what failed, in our own words
 * where we threw it, and what to do. Quarkus wraps a start-up observer's exception in layers of its
 * own; the first exception below them that is not a mere wrapper is the one that explains.
 */
final class StartupFailure {
    private StartupFailure() {}

    static String describe(Throwable failure) {
        Throwable cause = explaining(failure);
        String what = cause.getMessage() != null && !cause.getMessage().isBlank() ? cause.getMessage().strip() : cause.toString();
        String todo = switch (cause) {
            case BindException b -> " The HTTP port is taken: pass --port N, or stop the process that holds it.";
            default -> "";
        };
        return "error: serve: the server could not start: " + what + (what.endsWith(".") ? "" : ".") + todo
                + " (MORPHSERVE_DEBUG=1 shows the stack trace.)";
    }

    static Throwable explaining(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (!isWrapper(t) && t.getMessage() != null) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static boolean isWrapper(Throwable t) {
        String name = t.getClass().getName();
        return name.startsWith("io.quarkus.") || name.startsWith("io.smallrye.") || name.startsWith("jakarta.enterprise.")
                || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException
                || t instanceof CompletionException || t instanceof ExecutionException
                // A bare RuntimeException around a cause is a wrapper ("Failed to start quarkus"); our
                // own failures use specific types.
                || (t.getClass() == RuntimeException.class && t.getCause() != null);
    }
}
