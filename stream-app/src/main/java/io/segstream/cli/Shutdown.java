package io.segstream.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What SIGTERM and Ctrl-C do to a command. The JVM runs this hook: it records the request, and
 * interrupts the command's thread while that thread is only waiting (connecting to Kafka, reading,
 * decoding), so the wait ends at once; in a section marked {@link #protect() protected} (a
 * processor closing its last transaction) it is not interrupted. The hook then holds the JVM until
 * the command has cleaned up ({@link #close()}), at most {@code grace}, so no output is left
 * half-written, and never longer.
 */
final class Shutdown implements AutoCloseable {
    private final Thread worker = Thread.currentThread();
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean interruptible = true;

    private Shutdown(Duration grace) {
        this.hook = new Thread(() -> {
            requested.countDown();
            System.err.println("segstream: stopping (SIGTERM or Ctrl-C)");
            if (interruptible) {
                worker.interrupt();
            }
            try {
                finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "segstream-shutdown");
    }

    /** Installs the hook for the calling thread's command. */
    static Shutdown install(Duration grace) {
        Shutdown shutdown = new Shutdown(grace);
        Runtime.getRuntime().addShutdownHook(shutdown.hook);
        return shutdown;
    }

    /** True once SIGTERM or Ctrl-C arrived. */
    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Waits up to {@code timeout} for a stop request; true when one arrived. */
    boolean await(Duration timeout) throws InterruptedException {
        return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** From now on a stop request is only recorded, not delivered as an interrupt (the caller polls). */
    void protect() {
        interruptible = false;
    }

    /** The command has cleaned up: the JVM may exit. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and now returns
        }
    }
}
