package dev.morphserve.cli;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops Quarkus's own "Failed to start application" record, which carries a stack trace of some
 * 60 lines: {@link ServeCommand} prints one paragraph for the same failure instead. With
 * {@code MORPHSERVE_DEBUG=1} the record stays. Other records of the category (started in, listening
 * on, port in use) pass.
 */
@LoggingFilter(name = "startup-failure")
public final class StartupFailureLogFilter implements Filter {
    /** The logger Quarkus's ApplicationLifecycleManager reports start-up failures with. */
    static final String CATEGORY = "io.quarkus.runtime.Application";
    static final String MESSAGE = "Failed to start application";

    private final boolean debug = DebugMode.enabled();

    @Override
    public boolean isLoggable(LogRecord record) {
        return debug || !(CATEGORY.equals(record.getLoggerName()) && record.getMessage() != null
                && record.getMessage().startsWith(MESSAGE));
    }
}
