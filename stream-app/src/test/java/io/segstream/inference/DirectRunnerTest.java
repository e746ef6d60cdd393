package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine time a {@link DirectRunner} reports covers its engine calls. The engine here takes
 * at least a known time per call, so the test asserts only a lower bound (no wall-clock upper bound).
 */
class DirectRunnerTest {
    private static final long CALL_MILLIS = 40;
    private static final int SLOT = 3;
    private static final int OUTPUT = 2;

    /** An engine whose every call takes at least {@link #CALL_MILLIS} and outputs the call's number. */
    private static final class SlowEngine implements InferenceEngine {
        int calls;

        @Override
        public float[] infer(final float[] input, final int batch) {
            calls++;
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CALL_MILLIS);
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            final float[] out = new float[batch * OUTPUT];
            java.util.Arrays.fill(out, calls);
            return out;
        }

        @Override
        public String description() {
            return "slow test engine";
        }

        @Override
        public EngineChoice choice() {
            return EngineChoice.CPU;
        }

        @Override
        public void close() {}
    }

    @Test
    void shouldCountTheEngineCallInTheInferenceTimeOfAOneCallRun() {
        final SlowEngine engine = new SlowEngine();
        final DirectRunner runner = new DirectRunner(engine, 4, SLOT, OUTPUT);

        final ModelRunner.Run run = runner.run(new float[2 * SLOT], 2, new float[2 * OUTPUT]);

        assertEquals(1, engine.calls);
        assertEquals(2, run.batchSize());
        assertTrue(run.inferenceNanos() >= TimeUnit.MILLISECONDS.toNanos(CALL_MILLIS),
                "inference " + run.inferenceNanos() / 1e6 + " ms, but the engine call took at least " + CALL_MILLIS
                        + " ms");
    }

    @Test
    void shouldCountEveryEngineCallInTheInferenceTimeOfAChunkedRun() {
        final SlowEngine engine = new SlowEngine();
        final DirectRunner runner = new DirectRunner(engine, 2, SLOT, OUTPUT);
        final float[] outputs = new float[5 * OUTPUT];

        final ModelRunner.Run run = runner.run(new float[5 * SLOT], 5, outputs);

        assertEquals(3, engine.calls, "chunks of 2, 2 and 1");
        assertEquals(2, run.batchSize());
        assertEquals(3f, outputs[4 * OUTPUT], "the last chunk's outputs land after the others'");
        assertTrue(run.inferenceNanos() >= 3 * TimeUnit.MILLISECONDS.toNanos(CALL_MILLIS),
                "inference " + run.inferenceNanos() / 1e6 + " ms for three calls of at least " + CALL_MILLIS + " ms");
    }
}
