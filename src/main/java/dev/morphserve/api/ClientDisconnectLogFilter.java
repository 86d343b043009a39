package dev.morphserve.api;

import io.netty.util.IllegalReferenceCountException;
import io.quarkus.logging.LoggingFilter;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops the two log records that a client closing its connection mid-stream makes Quarkus REST
 * and Netty write, and nothing else. The race is inherent: Quarkus REST checks that the
 * connection is open, hands a chunk to the event loop, and the peer's FIN or RST can arrive in
 * between. The failed write then reaches {@code PublisherResponseHandler}, which logs every
 * failure after the headers as ERROR with a stack trace and resets the response; that reset
 * writes again, inside the failing write's own promise callback, and Netty releases the chunk
 * twice ({@code IllegalReferenceCountException}, logged as WARN by its channel context). The
 * disconnect itself is counted and logged at DEBUG by {@link DisconnectWatch}.
 *
 * <p>Active on the console handler through {@link dev.morphserve.cli.ConsoleLogFilter}; another handler
 * (a log file) needs the same setting.
 */
@LoggingFilter(name = ClientDisconnectLogFilter.NAME)
public final class ClientDisconnectLogFilter implements Filter {
    public static final String NAME = "morphserve-client-disconnect";
    static final String PUBLISHER_HANDLER = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";
    static final String NETTY_CHANNEL_CONTEXT = "io.netty.channel.AbstractChannelHandlerContext";

    @Override
    public boolean isLoggable(LogRecord record) {
        return !isDisconnectNoise(record);
    }

    static boolean isDisconnectNoise(LogRecord record) {
        Throwable thrown = record.getThrown();
        if (thrown == null) {
            return false;
        }
        if (PUBLISHER_HANDLER.equals(record.getLoggerName())) {
            return isPeerGone(thrown);
        }
        // Only the double release whose promise had failed because the channel was closed.
        return NETTY_CHANNEL_CONTEXT.equals(record.getLoggerName())
                && thrown instanceof IllegalReferenceCountException
                && text(record).contains("ClosedChannelException");
    }

    /** True when {@code t} or one of its causes says the peer closed or reset the connection. */
    static boolean isPeerGone(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClosedChannelException || c instanceof HttpClosedException) {
                return true;
            }
            String message = c.getMessage();
            if (message == null) {
                continue;
            }
            if (c instanceof IOException && (message.contains("Connection reset by peer") || message.contains("Broken pipe"))) {
                return true;
            }
            if (c instanceof VertxException && message.equals("Connection was closed")) {
                return true;
            }
        }
        return false;
    }

    private static String text(LogRecord record) {
        String message = String.valueOf(record.getMessage());
        Object[] parameters = record.getParameters();
        return parameters == null ? message : message + Arrays.toString(parameters);
    }
}
