package dev.morphserve.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop load: {@code concurrency} clients, each sending the mix's next request as soon as
 * its last one ended, until the deadline. Closed loop keeps in-flight requests bounded, so a
 * slow-down shows as latency drift rather than as an ever-growing queue.
 */
public final class SoakLoad {
    private final SoakMix mix;
    private final SoakClient client;
    private final SoakLedger ledger;
    private final AtomicInteger nextIndex = new AtomicInteger();

    public SoakLoad(SoakMix mix, SoakClient client, SoakLedger ledger) {
        this.mix = mix;
        this.client = client;
        this.ledger = ledger;
    }

    /** Runs until {@code deadlineNanos} ({@link System#nanoTime()}), then waits for the requests in flight. */
    public void run(int concurrency, long deadlineNanos) throws InterruptedException {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            clients.add(Thread.ofVirtual().name("soak-client-" + c).start(() -> {
                while (System.nanoTime() < deadlineNanos) {
                    try {
                        ledger.add(client.send(mix.request(nextIndex.getAndIncrement())));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
    }

    public int requestsSent() {
        return nextIndex.get();
    }
}
