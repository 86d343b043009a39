package dev.morphserve.model;

/** Splits an index range over worker threads; each worker gets its own id for scratch buffers. */
public interface Parallel {

    int numWorkers();

    void forRange(int count, RangeBody body);

    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to, int worker);
    }

    /** Runs everything on the calling thread (reference path and tests). */
    Parallel SERIAL = new Parallel() {
        @Override
        public int numWorkers() {
            return 1;
        }

        @Override
        public void forRange(int count, RangeBody body) {
            body.run(0, count, 0);
        }
    };
}
