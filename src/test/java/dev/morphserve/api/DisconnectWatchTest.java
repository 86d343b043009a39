package dev.morphserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.morphserve.metrics.ClientDisconnects;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DisconnectWatchTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DisconnectWatch watch = new DisconnectWatch(new ClientDisconnects(registry));

    private double disconnects() {
        return registry.get("morphserve.client_disconnects").counter().count();
    }

    @Test
    void aCancelledStreamCountsOneDisconnectAndCancelsUpstream() {
        AtomicBoolean upstreamCancelled = new AtomicBoolean();
        Multi<Integer> endless = Multi.createFrom().range(0, Integer.MAX_VALUE).onCancellation().invoke(() -> upstreamCancelled.set(true));
        var subscriber = watch.watch(endless, "cmpl-1").subscribe().withSubscriber(AssertSubscriber.create(1));
        subscriber.awaitItems(1).cancel();
        subscriber.cancel(); // a second cancel (close handler after a failed write) is the same client
        assertThat(upstreamCancelled).isTrue();
        assertThat(disconnects()).isEqualTo(1.0);
    }

    @Test
    void aCompletedOrFailedStreamIsNoDisconnect() {
        watch.watch(Multi.createFrom().items("a", "b"), "cmpl-2").subscribe().withSubscriber(AssertSubscriber.create(10)).assertCompleted();
        watch.watch(Multi.createFrom().failure(new IllegalStateException()), "cmpl-3").subscribe()
                .withSubscriber(AssertSubscriber.create(10)).assertFailedWith(IllegalStateException.class);
        watch.watch(Uni.createFrom().item("{}"), "cmpl-4").subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
        assertThat(disconnects()).isZero();
    }

    @Test
    void aCancelledNonStreamingAnswerCountsOneDisconnect() {
        watch.watch(Uni.createFrom().nothing(), "cmpl-5").subscribe().withSubscriber(UniAssertSubscriber.create()).cancel();
        assertThat(disconnects()).isEqualTo(1.0);
    }
}
