package io.segstream.crf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a loop over {@code [0, n)} into one contiguous range per worker and runs the ranges at
 * once: the CRF's per-pixel and per-vertex passes are independent, so each pass is one fork and one
 * join. With one worker the loop runs on the caller's thread.
 */
final class Parallel implements AutoCloseable {
    /** A loop body over {@code [from, to)}, run by worker {@code worker}. */
    interface Range {
        void run(int from, int to, int worker);
    }

    private final int workers;
    private final ExecutorService pool;
    private final List<Future<?>> pending = new ArrayList<>();

    Parallel(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("CRF threads must be at least 1, was " + workers);
        }
        this.workers = workers;
        this.pool = workers == 1 ? null : Executors.newFixedThreadPool(workers - 1, r -> {
            Thread t = new Thread(r, "segstream-crf");
            t.setDaemon(true);
            return t;
        });
    }

    int workers() {
        return workers;
    }

    void forRange(int n, Range body) {
        if (workers == 1 || n < 4096) {
            body.run(0, n, 0);
            return;
        }
        pending.clear();
        for (int w = 1; w < workers; w++) {
            int from = (int) ((long) n * w / workers);
            int to = (int) ((long) n * (w + 1) / workers);
            int worker = w;
            pending.add(pool.submit(() -> body.run(from, to, worker)));
        }
        body.run(0, (int) ((long) n / workers), 0);
        try {
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a CRF pass", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a CRF worker failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
