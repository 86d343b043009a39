package dev.morphserve.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of persistent threads that split one job into chunks. Built for the forward pass:
 * about 150 matmuls per decoded token, each a few hundred microseconds, so the hand-off must cost
 * microseconds (workers spin briefly before parking) and nothing is allocated per job.
 *
 * <p>{@code parallelism} counts the calling thread: a pool of 2 starts 1 worker and the caller
 * works beside it. Chunks are claimed from a shared counter, so a core slowed by a neighbour
 * simply takes fewer of them. Only one job runs at a time; {@link #run} is not reentrant.
 */
public final class WorkerPool implements AutoCloseable {

    /** One job: {@code chunk} in [0, numChunks), {@code worker} in [0, parallelism) picks per-thread scratch. */
    @FunctionalInterface
    public interface Job {
        void run(int chunk, int worker);
    }

    /** How long an idle worker spins before it parks; a decode step issues the next job well within it. */
    private static final long SPIN_NANOS = 200_000;

    private final Thread[] workers; // [parallelism - 1]
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Job job;
    private volatile int numChunks;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    public WorkerPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        workers = new Thread[parallelism - 1];
        for (int i = 0; i < workers.length; i++) {
            int worker = i + 1;
            workers[i] = Thread.ofPlatform()
                    .daemon()
                    .name("morphserve-kernel-" + worker)
                    .start(() -> loop(worker));
        }
    }

    public WorkerPool() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public int parallelism() {
        return workers.length + 1;
    }

    /** Runs {@code job} over chunks 0..numChunks-1 on all threads, the caller included; returns when all are done. */
    public void run(int numChunks, Job job) {
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (workers.length == 0 || numChunks == 1) {
            for (int c = 0; c < numChunks; c++) {
                job.run(c, 0);
            }
            return;
        }
        // Two callers at once would corrupt the shared job state and hang: fail loudly instead.
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("WorkerPool.run called from " + Thread.currentThread().getName()
                    + " while another thread's job is running; one pool serves one thread");
        }
        try {
            runOnWorkers(numChunks, job);
        } finally {
            busy.set(false);
        }
    }

    private void runOnWorkers(int numChunks, Job job) {
        this.job = job;
        this.numChunks = numChunks;
        this.failure = null;
        nextChunk.set(0);
        running.set(workers.length);
        generation++; // volatile write publishes the fields above to the workers
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        try {
            work(job, numChunks, 0);
        } catch (Throwable t) {
            failure = t;
            nextChunk.set(Integer.MAX_VALUE / 2);
        }
        // the workers may still be inside a chunk that reads the caller's arrays: wait even on failure
        while (running.get() != 0) {
            Thread.onSpinWait();
        }
        this.job = null;
        Throwable f = failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException("kernel job failed: " + f, f);
        }
    }

    private void work(Job job, int numChunks, int worker) {
        for (int c = nextChunk.getAndIncrement(); c < numChunks; c = nextChunk.getAndIncrement()) {
            job.run(c, worker);
        }
    }

    private void loop(int worker) {
        long seen = 0;
        while (true) {
            long spinStart = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                work(job, numChunks, worker);
            } catch (Throwable t) {
                failure = t;
                nextChunk.set(Integer.MAX_VALUE / 2); // the others stop claiming chunks
            } finally {
                running.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        for (Thread t : workers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
