package dev.morphserve.bench.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drives morphing on a schedule while the load runs, as a sawtooth: each tick steps every layer
 * one level down (in the server's swap order), tick after tick, until a whole pass is refused
 * (all at the lowest level), then one level up per tick (reverse order) until a pass is refused
 * again, and so on. The controller is in manual mode, so these are the only swaps. Every answer
 * is counted; a 409 is a normal answer (lowest or base level reached, or a copy still running).
 */
public final class MorphCycler implements AutoCloseable {
    private final HttpClient http;
    private final URI morphUri;
    private final List<Integer> swapOrder;
    private final Map<String, Long> answers = new TreeMap<>();
    private final Thread thread;
    private volatile boolean stopped;
    private boolean down = true;
    private int passes;

    public MorphCycler(HttpClient http, URI baseUri, List<Integer> swapOrder, Duration every) {
        this.http = http;
        this.morphUri = baseUri.resolve("/v1/morph");
        this.swapOrder = List.copyOf(swapOrder);
        this.thread = Thread.ofPlatform().name("soak-morph-cycler").daemon().start(() -> run(every));
    }

    private void run(Duration every) {
        long next = System.nanoTime() + every.toNanos();
        while (!stopped && !swapOrder.isEmpty()) {
            try {
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                next += every.toNanos();
                pass();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pass() throws InterruptedException {
        String action = down ? "swap_down" : "swap_up";
        boolean anyApplied = false;
        for (int layer : down ? swapOrder : swapOrder.reversed()) {
            if (stopped) {
                return;
            }
            int status = post("{\"action\":\"" + action + "\",\"layer\":" + layer + "}");
            anyApplied |= status == 200 || status == 202;
        }
        synchronized (answers) {
            passes++;
        }
        if (!anyApplied) {
            down = !down;
        }
    }

    private int post(String body) throws InterruptedException {
        String key;
        int status = 0;
        try {
            HttpRequest request = HttpRequest.newBuilder(morphUri).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            key = status == 200 || status == 202 || status == 409 ? Integer.toString(status) : status / 100 + "xx";
        } catch (java.io.IOException e) {
            key = "error";
        }
        synchronized (answers) {
            answers.merge(key, 1L, Long::sum);
        }
        return status;
    }

    /** Answers to the swap commands by status ("200", "202", "409", "4xx", "5xx", "error"). */
    public Map<String, Long> answers() {
        synchronized (answers) {
            return new TreeMap<>(answers);
        }
    }

    /** Passes over all layers completed (each one tick). */
    public int passes() {
        synchronized (answers) {
            return passes;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(70));
    }
}
