package dev.morphserve.cli;

import dev.morphserve.api.ClientDisconnectLogFilter;
import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * The console handler takes one named filter ({@code quarkus.log.console.filter}); this one lets a
 * record through only when every filter of ours does.
 */
@LoggingFilter(name = "morphserve-console")
public final class ConsoleLogFilter implements Filter {
    private final Filter[] filters = {new StartupFailureLogFilter(), new ClientDisconnectLogFilter()};

    @Override
    public boolean isLoggable(LogRecord record) {
        for (Filter filter : filters) {
            if (!filter.isLoggable(record)) {
                return false;
            }
        }
        return true;
    }
}
