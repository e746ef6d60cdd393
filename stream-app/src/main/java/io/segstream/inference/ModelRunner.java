package io.segstream.inference;

/**
 * Where model inputs go to be run: the dynamic batcher shared by the processor's stream threads
 * ({@link DynamicBatcher}), or an engine called directly in chunks ({@link DirectRunner}) for
 * {@code segment}, {@code eval} and checks. The segmentation path talks only to this.
 */
public interface ModelRunner {
    /**
     * How one call's inputs ran: time queued before the first batch, engine time, the largest batch,
     * and where the outputs are: {@code outputs} is the caller's array, or the engine's own result
     * when the call had a batch to itself (one copy fewer).
     */
    record Run(long queueNanos, long inferenceNanos, int batchSize, float[] outputs) {}

    /**
     * Runs {@code items} model inputs (slots {@code 0..items-1} of {@code inputs}) and puts their
     * outputs in {@code outputs} or hands back the engine's own array ({@link Run#outputs()}),
     * blocking until done.
     *
     * @throws IllegalStateException when the engine failed on these inputs
     */
    Run run(float[] inputs, int items, float[] outputs) throws InterruptedException;

    /** Engine, version and device, for logs. */
    String description();
}
