package dev.morphserve.api;

import dev.morphserve.metrics.ClientDisconnects;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Marks a response stream so that a client going away is recorded as what it is: a normal event.
 * Quarkus REST cancels the response's subscription only when the connection closed or a write to
 * it failed (never after the stream completed), so a cancellation here means the client left;
 * the same cancellation travels upstream and aborts the engine request, freeing its KV blocks.
 */
@ApplicationScoped
public class DisconnectWatch {
    private static final Logger LOG = Logger.getLogger(DisconnectWatch.class);

    private final ClientDisconnects disconnects;

    DisconnectWatch(ClientDisconnects disconnects) {
        this.disconnects = disconnects;
    }

    public <T> Multi<T> watch(Multi<T> response, String requestId) {
        return Multi.createFrom().deferred(() -> {
            // Quarkus may cancel twice (close handler and failed write); count the client once.
            AtomicBoolean counted = new AtomicBoolean();
            return response.onCancellation().invoke(() -> {
                if (counted.compareAndSet(false, true)) {
                    onDisconnect(requestId);
                }
            });
        });
    }

    /** A Uni is cancelled at most once and never after its item, so no guard is needed. */
    public <T> Uni<T> watch(Uni<T> response, String requestId) {
        return response.onCancellation().invoke(() -> onDisconnect(requestId));
    }

    private void onDisconnect(String requestId) {
        disconnects.record();
        LOG.debugf("client disconnected before the end of %s; request aborted", requestId);
    }
}
