package io.segstream.inference.onnx;

/** A batch of model inputs and its full tensor shape (batch first), as the translator hands it to DJL. */
record ModelBatch(float[] data, long[] shape) {}
