package io.segstream.crf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void passesBackToBackCoverEveryIndexOnceWithEachWorkerOnItsOwnRange() {
        int n = 10_007;
        AtomicIntegerArray visits = new AtomicIntegerArray(n);
        int[] owner = new int[n];
        try (Parallel parallel = new Parallel(3)) {
            for (int pass = 0; pass < 500; pass++) {
                parallel.forRange(n, (from, to, worker) -> {
                    for (int i = from; i < to; i++) {
                        visits.incrementAndGet(i);
                        owner[i] = worker;
                    }
                });
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(500, visits.get(i), "index " + i);
            int expected = 0;
            while (i >= (int) ((long) n * (expected + 1) / 3)) {
                expected++;
            }
            assertEquals(expected, owner[i], "worker of index " + i);
        }
    }

    @Test
    void aWorkersFailureReachesTheCallerAndLaterPassesStillRun() {
        RuntimeException boom = new RuntimeException("boom");
        try (Parallel parallel = new Parallel(2)) {
            IllegalStateException failed = assertThrows(IllegalStateException.class,
                    () -> parallel.forRange(8192, (from, to, worker) -> {
                        if (worker == 1) {
                            throw boom;
                        }
                    }));
            assertSame(boom, failed.getCause());
            int[] sum = new int[1];
            parallel.forRange(8192, (from, to, worker) -> {
                synchronized (sum) {
                    sum[0] += to - from;
                }
            });
            assertEquals(8192, sum[0]);
        }
    }
}
