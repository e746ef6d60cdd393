package io.segstream.model;

import java.util.List;
import java.util.Optional;

/**
 * Models whose card `model import` can fill in by itself, recognised by the SHA-256 of the
 * original file. Anything else needs its classes and normalisation given on the command line.
 */
public final class KnownModels {
    private KnownModels() {}

    public static final List<String> VOC_CLASSES = List.of("background", "aeroplane", "bicycle", "bird", "boat",
            "bottle", "bus", "car", "cat", "chair", "cow", "dining table", "dog", "horse", "motorbike", "person",
            "potted plant", "sheep", "sofa", "train", "tv");

    /** What a preset fixes; the importer reads the rest (input name and size, output) from the graph. */
    public record Preset(String name, List<String> classes, String channelOrder, float[] mean, float[] std,
            String logitsTensor, int stride, boolean alignCorners) {}

    /**
     * Google's DeepLab v3 MobileNetV2 PASCAL VOC (TF Hub lite-model/deeplabv3/1/default/1), as converted
     * to ONNX by tf2onnx 1.10.1: NHWC RGB input in [-1, 1], TensorFlow's align-corners bilinear.
     */
    public static final Preset DEEPLABV3_MNV2_VOC = new Preset("deeplabv3-mnv2-voc", VOC_CLASSES, "RGB",
            new float[] {127.5f, 127.5f, 127.5f}, new float[] {127.5f, 127.5f, 127.5f},
            "logits/semantic/BiasAdd", 8, true);

    public static final String DEEPLABV3_MNV2_VOC_SHA256 =
            "48a46b346ca7e2e96760b8a10a302046a3b5a9ce55e59d4c659c36d9cbd44118";

    public static Optional<Preset> bySha256(String sha256) {
        return DEEPLABV3_MNV2_VOC_SHA256.equals(sha256) ? Optional.of(DEEPLABV3_MNV2_VOC) : Optional.empty();
    }
}
