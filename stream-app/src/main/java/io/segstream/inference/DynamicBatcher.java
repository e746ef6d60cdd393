package io.segstream.inference;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching across callers, as Triton's dynamic batcher does across clients: callers
 * (Kafka Streams threads) submit the model inputs of one frame and block until its outputs are
 * written back; one worker thread gathers queued inputs into batches of at most
 * {@code maxBatch} and runs them. A batch starts as soon as it is full, once its oldest input
 * has waited {@code maxDelay}, or as soon as every recently active caller is blocked on it (no
 * more input can arrive before the batch completes, so waiting would only add latency; with one
 * busy camera this keeps the delay at zero). A frame's inputs may be split across two batches.
 *
 * <p>Because each caller waits for its own result, no record leaves {@code process()} before its
 * mask exists, so Kafka Streams never commits an offset ahead of its output (DESIGN.md,
 * "Contracts"). Buffers are sized once per batch size and reused.
 */
public final class DynamicBatcher implements ModelRunner, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

    private static final long ACTIVE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final InferenceEngine engine;
    private final int slotSize;
    private final int outputSize;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final BatchListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final float[][] inputBuffers;
    private final Part[] parts;
    private final Thread worker;
    private final Map<Thread, Long> lastCallNanos = new HashMap<>();
    private int queuedItems;
    private int blockedCallers;
    private boolean closed;

    /** Told about every batch run, for metrics. */
    public interface BatchListener {
        void batchRun(int size, long inferenceNanos);
    }

    /**
     * @param slotSize floats per model input
     * @param outputSize floats per model output
     * @param maxBatch largest batch, in model inputs
     * @param maxDelayNanos longest an input waits for others to join its batch
     */
    public DynamicBatcher(InferenceEngine engine, int slotSize, int outputSize, int maxBatch, long maxDelayNanos,
            BatchListener listener) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (maxDelayNanos < 0) {
            throw new IllegalArgumentException("maxDelay must not be negative, was " + maxDelayNanos + " ns");
        }
        this.engine = engine;
        this.slotSize = slotSize;
        this.outputSize = outputSize;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.listener = listener;
        this.inputBuffers = new float[maxBatch + 1][];
        this.parts = new Part[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            parts[i] = new Part();
        }
        this.worker = new Thread(this::work, "segstream-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Runs {@code items} model inputs (slots {@code 0..items-1} of {@code inputs}) and writes their
     * outputs to {@code outputs}; blocks until done.
     *
     * @return when and how the inputs ran
     * @throws IllegalStateException when the engine failed on a batch carrying these inputs
     */
    @Override
    public Run run(float[] inputs, int items, float[] outputs) throws InterruptedException {
        return run(new Request[] {new Request(inputs, items, outputs)})[0];
    }

    @Override
    public String description() {
        return engine.description();
    }

    /** Submits several requests at once (they can share a batch) and waits for all of them. */
    public Run[] run(Request[] requests) throws InterruptedException {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the batcher is closed");
            }
            long now = System.nanoTime();
            lastCallNanos.put(Thread.currentThread(), now);
            blockedCallers++;
            for (Request request : requests) {
                request.enqueuedAt = now;
                queue.addLast(request);
                queuedItems += request.items;
            }
            arrived.signal();
        } finally {
            lock.unlock();
        }
        Run[] results = new Run[requests.length];
        try {
            for (int i = 0; i < requests.length; i++) {
                results[i] = requests[i].await();
            }
        } finally {
            lock.lock();
            try {
                blockedCallers--;
            } finally {
                lock.unlock();
            }
        }
        return results;
    }

    private void work() {
        while (true) {
            int n;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    arrived.awaitUninterruptibly();
                }
                if (closed && queue.isEmpty()) {
                    return;
                }
                long deadline = queue.peekFirst().enqueuedAt + maxDelayNanos;
                long wait;
                while (queuedItems < maxBatch && !closed && blockedCallers < activeCallers()
                        && (wait = deadline - System.nanoTime()) > 0) {
                    try {
                        arrived.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                n = gather();
            } finally {
                lock.unlock();
            }
            run(n);
        }
    }

    /** Threads that called within the last second (stream threads that own cameras). Holds the lock. */
    private int activeCallers() {
        long cutoff = System.nanoTime() - ACTIVE_WINDOW_NANOS;
        for (Iterator<Long> it = lastCallNanos.values().iterator(); it.hasNext(); ) {
            if (it.next() < cutoff) {
                it.remove();
            }
        }
        return lastCallNanos.size();
    }

    /** Takes up to maxBatch inputs off the queue, in arrival order. Holds the lock. */
    private int gather() {
        int n = 0;
        int p = 0;
        long start = System.nanoTime();
        while (n < maxBatch && !queue.isEmpty()) {
            Request request = queue.peekFirst();
            int take = Math.min(request.items - request.taken, maxBatch - n);
            Part part = parts[p++];
            part.request = request;
            part.first = request.taken;
            part.count = take;
            if (request.taken == 0) {
                request.queueNanos = start - request.enqueuedAt;
            }
            request.taken += take;
            if (request.taken == request.items) {
                queue.pollFirst();
            }
            n += take;
        }
        queuedItems -= n;
        for (int i = p; i < parts.length; i++) {
            parts[i].request = null;
        }
        return n;
    }

    private void run(int n) {
        // A batch that is one whole request runs on the caller's own inputs, and the caller reads the
        // engine's output array: two copies fewer for a lone camera.
        Request whole = parts[0].request != null && (parts.length == 1 || parts[1].request == null)
                && parts[0].first == 0 && parts[0].count == parts[0].request.items ? parts[0].request : null;
        float[] batch;
        if (whole != null) {
            batch = whole.inputs;
        } else {
            batch = inputBuffers[n];
            if (batch == null) {
                batch = new float[n * slotSize];
                inputBuffers[n] = batch;
            }
            int slot = 0;
            for (Part part : parts) {
                if (part.request == null) {
                    break;
                }
                System.arraycopy(part.request.inputs, part.first * slotSize, batch, slot * slotSize,
                        part.count * slotSize);
                slot += part.count;
            }
        }
        long t0 = System.nanoTime();
        float[] out;
        try {
            out = engine.infer(batch, n);
        } catch (RuntimeException e) {
            LOG.error("inference on a batch of {} failed", n, e);
            for (Part part : parts) {
                if (part.request != null) {
                    part.request.fail(e);
                }
            }
            return;
        }
        long inferenceNanos = System.nanoTime() - t0;
        listener.batchRun(n, inferenceNanos);
        if (whole != null) {
            whole.result = out;
            whole.partDone(n, n, inferenceNanos);
            return;
        }
        int slot = 0;
        for (Part part : parts) {
            if (part.request == null) {
                break;
            }
            Request request = part.request;
            System.arraycopy(out, slot * outputSize, request.outputs, part.first * outputSize, part.count * outputSize);
            slot += part.count;
            request.partDone(part.count, n, inferenceNanos);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One caller's inputs and where its outputs go. */
    public static final class Request {
        private final float[] inputs;
        private final int items;
        private final float[] outputs;
        private float[] result;
        private long enqueuedAt;
        private int taken;
        private int done;
        private long queueNanos;
        private long inferenceNanos;
        private int batchSize;
        private RuntimeException failure;

        public Request(float[] inputs, int items, float[] outputs) {
            if (items < 1) {
                throw new IllegalArgumentException("a request needs at least one input, had " + items);
            }
            this.inputs = inputs;
            this.items = items;
            this.outputs = outputs;
            this.result = outputs;
        }

        private synchronized void partDone(int count, int batch, long nanos) {
            done += count;
            inferenceNanos += nanos;
            batchSize = Math.max(batchSize, batch);
            if (done == items) {
                notifyAll();
            }
        }

        private synchronized void fail(RuntimeException e) {
            failure = e;
            notifyAll();
        }

        private synchronized Run await() throws InterruptedException {
            while (done < items && failure == null) {
                wait();
            }
            if (failure != null) {
                throw new IllegalStateException("inference failed: " + failure.getMessage(), failure);
            }
            return new Run(queueNanos, inferenceNanos, batchSize, result);
        }
    }

    private static final class Part {
        Request request;
        int first;
        int count;
    }
}
