package dev.morphserve.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts responses that the client abandoned before their end (exported as
 * {@code morphserve_client_disconnects_total}). A disconnect is a normal event for a streaming
 * server, so it is a meter to watch rather than a log line per occurrence. Created at start-up so
 * that the counter is exported at zero before the first disconnect.
 */
@Startup
@ApplicationScoped
public class ClientDisconnects {
    private final Counter disconnects;

    public ClientDisconnects(MeterRegistry registry) {
        disconnects = Counter.builder("morphserve.client_disconnects")
                .description("Responses whose client went away before the response ended (their engine requests were aborted)")
                .register(registry);
    }

    public void record() {
        disconnects.increment();
    }
}
