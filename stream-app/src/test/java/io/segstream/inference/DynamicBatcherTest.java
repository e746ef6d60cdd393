package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dynamic batcher on the real DeepLab model and real frames. */
class DynamicBatcherTest {
    @TempDir
    static Path modelDir;
    static ModelCard card;
    static InferenceEngine engine;
    static FrameTranslator translator;
    static List<float[]> inputs = new ArrayList<>();
    static List<float[]> expected = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        SharedData.importModel(modelDir);
        card = ModelCard.read(modelDir.resolve("model.json"));
        engine = Engines.cpu(modelDir.resolve("model.onnx"), card.input().itemShape(), 2);
        translator = new FrameTranslator(card, Fit.of(FitMode.SQUASH));
        for (RgbImage frame : SharedData.frames(SharedData.path(Assets.VTEST), 0, 8, 40)) {
            float[] in = new float[translator.slotSize()];
            translator.writeInputs(frame, translator.plan(frame.width(), frame.height()), in, 0);
            inputs.add(in);
            expected.add(engine.infer(in, 1));
        }
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void batchesInputsOfConcurrentCallersAndReturnsEachItsOwnOutputs() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        int callers = 4;
        try (DynamicBatcher batcher = new DynamicBatcher(engine, translator.slotSize(), translator.outputSize(), 4,
                TimeUnit.MILLISECONDS.toNanos(200), (size, nanos) -> sizes.add(size))) {
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> jobs = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                int first = t;
                jobs.add(pool.submit(() -> {
                    start.await();
                    float[] out = new float[translator.outputSize()];
                    int largest = 0;
                    for (int i = 0; i < 6; i++) {
                        int k = (first + i) % inputs.size();
                        ModelRunner.Run r = batcher.run(inputs.get(k), 1, out);
                        // A batch of this input alone hands back the engine's own array; a shared one copies into out.
                        assertArrayEquals(expected.get(k), r.outputs(), 1e-4f, "outputs of input " + k);
                        largest = Math.max(largest, r.batchSize());
                    }
                    return largest;
                }));
            }
            start.countDown();
            int largestSeen = 0;
            for (Future<Integer> job : jobs) {
                largestSeen = Math.max(largestSeen, job.get(2, TimeUnit.MINUTES));
            }
            pool.shutdown();
            assertEquals(24, sizes.stream().mapToInt(Integer::intValue).sum(), "every input ran exactly once");
            assertTrue(Collections.max(sizes) > 1, "batches formed across callers: " + sizes);
            assertTrue(Collections.max(sizes) <= 4, "no batch above maxBatch: " + sizes);
            assertTrue(largestSeen > 1);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // fails, rather than hangs for an hour, if a lone caller waits
    void aLoneCallerIsNotMadeToWaitForCallersThatCannotCome() throws Exception {
        // A maximum delay no test waits out: a call that returns at all ran before its deadline, whatever this
        // machine's speed, and a queue time below the delay says the batch did not start on the deadline.
        long maxDelay = TimeUnit.HOURS.toNanos(1);
        try (DynamicBatcher batcher = new DynamicBatcher(engine, translator.slotSize(), translator.outputSize(), 8,
                maxDelay, (size, nanos) -> { })) {
            float[] out = new float[translator.outputSize()];
            for (int i = 0; i < 5; i++) {
                ModelRunner.Run r = batcher.run(inputs.get(i), 1, out);
                // Every active caller (just this one) is blocked, so nothing can join the batch: it runs at once
                // rather than after the maximum delay.
                assertTrue(r.queueNanos() < maxDelay, "queued " + r.queueNanos() / 1e6 + " ms");
                assertEquals(1, r.batchSize());
            }
        }
    }

    @Test
    void splitsARequestLargerThanTheBatchAcrossBatchesInOrder() throws Exception {
        int items = 6;
        float[] in = new float[items * translator.slotSize()];
        for (int i = 0; i < items; i++) {
            System.arraycopy(inputs.get(i), 0, in, i * translator.slotSize(), translator.slotSize());
        }
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (DynamicBatcher batcher = new DynamicBatcher(engine, translator.slotSize(), translator.outputSize(), 4, 0,
                (size, nanos) -> sizes.add(size))) {
            float[] out = new float[items * translator.outputSize()];
            batcher.run(in, items, out);
            for (int i = 0; i < items; i++) {
                float[] one = java.util.Arrays.copyOfRange(out, i * translator.outputSize(),
                        (i + 1) * translator.outputSize());
                assertArrayEquals(expected.get(i), one, 1e-4f, "output " + i);
            }
        }
        assertEquals(List.of(4, 2), sizes);
    }
}
