package io.segstream.crf;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over {@code [0, n)} into one contiguous range per worker and runs the ranges at
 * once: the CRF's per-pixel and per-vertex passes are independent, so each pass is one fork and one
 * join. With one worker the loop runs on the caller's thread.
 *
 * <p>A CRF frame makes about a hundred passes of 0.1-5 ms each, back to back, so the fork and the
 * join must cost microseconds: an executor's hand-off (a queue, a future, a parked thread woken
 * for each pass) measured 40 us per pass here. Instead the workers are threads of this object that
 * wait for the next pass by spinning for a short while ({@link #SPIN_NANOS}) before they park, and
 * the caller waits for them the same way. Between frames they park, so an idle CRF costs nothing.
 *
 * <p>One caller at a time (a DenseCrf belongs to one thread).
 */
final class Parallel implements AutoCloseable {
    /** A loop body over {@code [from, to)}, run by worker {@code worker}. */
    interface Range {
        void run(int from, int to, int worker);
    }

    /** How long a worker or the caller spins for the next pass or the join before parking. */
    private static final long SPIN_NANOS = 100_000;

    private final int workers;
    private final Thread[] threads;
    private final AtomicInteger generation = new AtomicInteger(); // one per pass: workers wait for it to move
    private final AtomicInteger running = new AtomicInteger();    // workers still in the current pass
    private Range body;     // the current pass; published by the increment of generation
    private int size;
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;

    Parallel(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("CRF threads must be at least 1, was " + workers);
        }
        this.workers = workers;
        this.threads = new Thread[workers - 1];
        for (int w = 1; w < workers; w++) {
            int worker = w;
            Thread t = new Thread(() -> work(worker), "segstream-crf-" + w);
            t.setDaemon(true);
            threads[w - 1] = t;
            t.start();
        }
    }

    int workers() {
        return workers;
    }

    void forRange(int n, Range range) {
        forRange(n, 4096, range);
    }

    /**
     * {@link #forRange(int, Range)}, run on the caller's thread alone when {@code n} is below
     * {@code serialBelow} (items such as image rows, each worth many pixels, want a lower bound).
     */
    void forRange(int n, int serialBelow, Range range) {
        if (workers == 1 || n < serialBelow) {
            range.run(0, n, 0);
            return;
        }
        if (closed) {
            throw new IllegalStateException("the CRF's threads were stopped");
        }
        body = range;
        size = n;
        failure = null;
        caller = Thread.currentThread();
        running.set(workers - 1);
        generation.incrementAndGet();
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        try {
            range.run(0, (int) ((long) n / workers), 0);
        } finally {
            // Even when the caller's range failed: the next pass must not start under a running worker.
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (running.get() != 0) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
        }
        Throwable failed = failure;
        if (failed != null) {
            throw new IllegalStateException("a CRF worker failed: " + failed, failed);
        }
    }

    private void work(int worker) {
        int seen = 0; // the generation before any pass: this thread may start after the first one began
        while (!closed) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (generation.get() == seen && !closed) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this); // forRange unparks after moving generation: no lost wake-up
                }
            }
            if (closed) {
                return;
            }
            seen = generation.get();
            Range range = body;
            int n = size;
            try {
                range.run((int) ((long) n * worker / workers), (int) ((long) n * (worker + 1) / workers), worker);
            } catch (Throwable t) {
                failure = t;
            }
            if (running.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the workers. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }
}
