package dev.morphserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Multi;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StreamDeliveryTest {

    @Test
    void aBurstOfStreamsIsCarriedByTheFixedThreadsInOrderAndTheyExitWhenIdle() throws Exception {
        var pool = StreamDelivery.create(2, 1);
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            // 40 streams whose items all arrive at once, as one engine step emits to every request.
            var streams = IntStream.range(0, 40)
                    .mapToObj(s -> Multi.createFrom().range(0, 50).emitOn(pool)
                            .invoke(() -> threads.add(Thread.currentThread().getName()))
                            .collect().asList().subscribeAsCompletionStage())
                    .toList();
            for (var stream : streams) {
                assertThat(stream.get(10, TimeUnit.SECONDS)).isEqualTo(IntStream.range(0, 50).boxed().toList());
            }
            assertThat(threads).hasSizeLessThanOrEqualTo(2).allMatch(name -> name.startsWith("morphserve-stream-"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.getPoolSize() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pool.getPoolSize()).as("threads left after the idle time").isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
