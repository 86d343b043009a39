package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.IllegalReferenceCountException;
import io.vertx.core.VertxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ClientDisconnectLogFilterTest {
    private final ClientDisconnectLogFilter filter = new ClientDisconnectLogFilter();

    @Test
    void dropsQuarkusRestWriteFailuresOfAConnectionThePeerClosedOrReset() {
        assertThat(filter.isLoggable(publisher(new IOException("Connection reset by peer")))).isFalse();
        assertThat(filter.isLoggable(publisher(new IOException("Broken pipe")))).isFalse();
        assertThat(filter.isLoggable(publisher(new ClosedChannelException()))).isFalse();
        assertThat(filter.isLoggable(publisher(new VertxException("Connection was closed", true)))).isFalse();
        assertThat(filter.isLoggable(publisher(new UncheckedIOException(new IOException("Connection reset by peer"))))).isFalse();
    }

    @Test
    void keepsRealStreamingErrors() {
        assertThat(filter.isLoggable(publisher(new IllegalStateException("cannot serialize Chunk")))).isTrue();
        assertThat(filter.isLoggable(publisher(new IOException("No space left on device")))).isTrue();
        assertThat(filter.isLoggable(record(ClientDisconnectLogFilter.PUBLISHER_HANDLER, "Exception in SSE server handling", null))).isTrue();
    }

    @Test
    void keepsDisconnectLookalikesFromOtherLoggers() {
        assertThat(filter.isLoggable(record("dev.morphserve.engine.EngineLoop", "step failed", new IOException("Connection reset by peer"))))
                .isTrue();
    }

    @Test
    void dropsNettysDoubleReleaseOnlyWhenThePromiseFailedOnAClosedChannel() {
        String closed = "Failed to mark a promise as failure because it has failed already: "
                + "DefaultChannelPromise@70e3b7f0(failure: io.netty.channel.StacklessClosedChannelException), unnotified cause:";
        String other = "Failed to mark a promise as failure because it has failed already: "
                + "DefaultChannelPromise@70e3b7f0(failure: java.lang.OutOfMemoryError), unnotified cause:";
        var doubleRelease = new IllegalReferenceCountException(0, -1);
        assertThat(filter.isLoggable(record(ClientDisconnectLogFilter.NETTY_CHANNEL_CONTEXT, closed, doubleRelease))).isFalse();
        assertThat(filter.isLoggable(record(ClientDisconnectLogFilter.NETTY_CHANNEL_CONTEXT, other, doubleRelease))).isTrue();
        assertThat(filter.isLoggable(record(ClientDisconnectLogFilter.NETTY_CHANNEL_CONTEXT, closed, new IllegalStateException()))).isTrue();
    }

    private static LogRecord publisher(Throwable thrown) {
        return record(ClientDisconnectLogFilter.PUBLISHER_HANDLER, "Exception in SSE server handling, impossible to send it to client", thrown);
    }

    private static LogRecord record(String logger, String message, Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, message);
        record.setLoggerName(logger);
        record.setThrown(thrown);
        return record;
    }
}
