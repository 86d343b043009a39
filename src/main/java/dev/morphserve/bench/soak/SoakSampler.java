package dev.morphserve.bench.soak;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Takes a {@link SoakSample} every interval: the server process from /proc, its state over HTTP,
 * and the ledger's window. A sample whose process read fails is not taken (the process is gone);
 * a failed HTTP probe leaves its fields null.
 */
public final class SoakSampler implements AutoCloseable {
    private final long pid;
    private final ServerProbe probe;
    private final SoakLedger ledger;
    private final long startNanos;
    private final Consumer<SoakSample> onSample;
    private final List<SoakSample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("soak-sampler").daemon().unstarted(r));

    public SoakSampler(long pid, ServerProbe probe, SoakLedger ledger, long startNanos, Consumer<SoakSample> onSample) {
        this.pid = pid;
        this.probe = probe;
        this.ledger = ledger;
        this.startNanos = startNanos;
        this.onSample = onSample;
    }

    public void start(long everyMillis) {
        timer.scheduleAtFixedRate(this::sampleQuietly, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes one sample now (also the final one, after the load); synchronized against the timer's. */
    public synchronized void sample() throws InterruptedException {
        double tSeconds = (System.nanoTime() - startNanos) / 1e9;
        ProcStatus process;
        try {
            process = ProcStatus.read(pid);
        } catch (IOException | IllegalArgumentException e) {
            return; // the server process is gone; the command reports that
        }
        ServerProbe.MorphSnapshot morph = null;
        Long heap = null;
        try {
            morph = probe.morph();
            heap = probe.heapUsedBytes();
        } catch (IOException e) {
            // leave nulls: a server too busy to answer within the probe's timeout is itself a finding
        }
        SoakSample sample = new SoakSample(tSeconds, process.rssBytes(), process.threads(), heap,
                morph == null ? null : morph.queueRunning(), morph == null ? null : morph.queueWaiting(),
                morph == null ? null : morph.kvFreeBlocks(), morph == null ? null : morph.kvTotalBlocks(),
                morph == null ? null : morph.swappedLayers(), ledger.drainWindow());
        samples.add(sample);
        onSample.accept(sample);
    }

    public synchronized List<SoakSample> samples() {
        return List.copyOf(samples);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(15, TimeUnit.SECONDS);
    }
}
