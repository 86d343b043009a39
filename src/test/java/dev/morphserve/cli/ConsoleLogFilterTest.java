package dev.morphserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ConsoleLogFilterTest {
    private final ConsoleLogFilter filter = new ConsoleLogFilter();

    @Test
    void dropsWhatEitherFilterDropsAndKeepsTheRest() {
        assertThat(filter.isLoggable(record(StartupFailureLogFilter.CATEGORY, StartupFailureLogFilter.MESSAGE, null))).isFalse();
        assertThat(filter.isLoggable(record("org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler",
                "Exception in SSE server handling, impossible to send it to client", new IOException("Connection reset by peer")))).isFalse();
        assertThat(filter.isLoggable(record("dev.morphserve.engine.EngineLoop", "step failed", new IllegalStateException()))).isTrue();
    }

    private static LogRecord record(String logger, String message, Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, message);
        record.setLoggerName(logger);
        record.setThrown(thrown);
        return record;
    }
}
