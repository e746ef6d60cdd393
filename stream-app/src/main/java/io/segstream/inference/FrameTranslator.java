package io.segstream.inference;

import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;
import java.util.List;

/**
 * How a frame becomes model inputs and model outputs become the frame's class planes (DJL's
 * Translator, for a whole frame): fits the frame ({@link FitMode}) into one or more
 * {@link InputView}s, writes them into input slots, and upsamples and stitches their stride-8
 * logits back to the frame's pixels. Owns its buffers (index tables, class planes), sized once per
 * frame size; one thread at a time.
 */
public final class FrameTranslator {
    private final ModelCard card;
    private final Fit fit;
    private final InputWriter writer;
    private final LogitsStitcher stitcher = new LogitsStitcher();
    private final LogitsMapping mapping;
    private final int outputSize;

    public FrameTranslator(ModelCard card, Fit fit) {
        this.card = card;
        this.fit = fit;
        this.writer = new InputWriter(card.input());
        this.mapping = card.output().alignCorners() ? LogitsMapping.ALIGN_CORNERS : LogitsMapping.ASYMMETRIC;
        this.outputSize = card.classCount() * card.output().width() * card.output().height();
    }

    /** The model inputs a frame of this size becomes. */
    public List<InputView> plan(int width, int height) {
        return InputPlanner.plan(fit, width, height, card.input().width(), card.input().height());
    }

    /** "squash", "letterbox" or "tile:CxR". */
    public String describe(List<InputView> views) {
        return InputPlanner.describe(fit, views);
    }

    /** Floats per model input. */
    public int slotSize() {
        return writer.slotSize();
    }

    /** Floats per model output (classes x logits height x logits width). */
    public int outputSize() {
        return outputSize;
    }

    /** Writes every view of {@code frame} into consecutive slots of {@code inputs}, from {@code firstSlot}. */
    public void writeInputs(RgbImage frame, List<InputView> views, float[] inputs, int firstSlot) {
        for (int i = 0; i < views.size(); i++) {
            writer.write(frame, views.get(i), inputs, firstSlot + i);
        }
    }

    /**
     * Upsamples the logits of the frame's views (consecutive outputs from {@code firstOutput}) to
     * {@code width x height} class planes, averaging where tiles overlap; read them through
     * {@link #planes()} or {@link #argmax(byte[])}.
     */
    public void stitch(float[] logits, int firstOutput, List<InputView> views, int width, int height) {
        stitch(logits, firstOutput, views, width, height, width, height);
    }

    /**
     * As {@link #stitch(float[], int, List, int, int)} for a {@code width x height} frame, its class
     * planes at {@code outW x outH} (a working size covering the same frame).
     */
    public void stitch(float[] logits, int firstOutput, List<InputView> views, int width, int height, int outW,
            int outH) {
        stitcher.reset(width, height, outW, outH, card.classCount());
        for (int i = 0; i < views.size(); i++) {
            stitcher.add(logits, (firstOutput + i) * outputSize, card.output().width(), card.output().height(),
                    card.input().width(), card.input().height(), views.get(i), mapping);
        }
    }

    /** The class planes of the last {@link #stitch}, {@code [classes][height][width]}. */
    public float[] planes() {
        return stitcher.planes();
    }

    /** Per-pixel argmax of the last {@link #stitch}. */
    public void argmax(byte[] labels) {
        stitcher.argmax(labels);
    }

    public ModelCard card() {
        return card;
    }
}
