package io.segstream.inference.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.nio.FloatBuffer;

/**
 * DJL's pre/post-processing step, kept trivial on purpose: the whole batch arrives already laid out
 * (InputWriter does the image work once, engine-independently) and the output leaves as floats.
 */
final class BatchTranslator implements NoBatchifyTranslator<ModelBatch, float[]> {
    @Override
    public NDList processInput(TranslatorContext ctx, ModelBatch batch) {
        NDArray array = ctx.getNDManager().create(FloatBuffer.wrap(batch.data()), new Shape(batch.shape()));
        return new NDList(array);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        return list.get(0).toFloatArray();
    }
}
