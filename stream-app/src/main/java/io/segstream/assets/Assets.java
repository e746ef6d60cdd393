package io.segstream.assets;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/** The named models and sample clips, each pinned to a commit and a checksum. */
public final class Assets {
    private Assets() {}

    private static final String GH = "https://raw.githubusercontent.com/";
    private static final String TFLITE_SUPPORT = GH + "tensorflow/tflite-support/dd3362ea685bb7ab1f7268c81ec567d3b720ae57/"
            + "tensorflow_lite_support/cc/test/testdata/task/vision/";
    private static final String OPENCV_TUTORIAL = GH + "arjun-234/OpenCVTutorial/c6a0b7a99ffbb50bd3439137158ab69b5185ae9c/";

    public static final Asset DEEPLAB_ONNX = new Asset("deeplabv3-mnv2-voc",
            "models/deeplabv3-mnv2-voc-onnx/deeplab_v3_1_default_1.onnx",
            URI.create(GH + "Kazuhito00/Image-Processing-Node-Editor/46979d5b8eacb181abe970e4dd18e8f4cf0e750b/"
                    + "node/deep_learning_node/semantic_segmentation/deeplab_v3/model/deeplab_v3_1_default_1.onnx"),
            "48a46b346ca7e2e96760b8a10a302046a3b5a9ce55e59d4c659c36d9cbd44118", 2_781_296);

    public static final Asset DEEPLAB_TFLITE = new Asset("deeplabv3-mnv2-voc-tflite",
            "models/deeplabv3-mnv2-voc-tflite/deeplabv3.tflite", URI.create(TFLITE_SUPPORT + "deeplabv3.tflite"),
            "9711334db2b01d5894feb8ed0f5cb3e97d125b8d229f8d8692f625801818f5ef", 2_780_051);

    public static final Asset GOLDEN_IMAGE = new Asset("golden", "golden/segmentation_input_rotation0.jpg",
            URI.create(TFLITE_SUPPORT + "segmentation_input_rotation0.jpg"),
            "5bf58d8af1f1c33224f3f3bc0ce451c8daf0739cc15a86d59d8c3bf2879afb97", 16_741);

    public static final Asset VTEST = new Asset("vtest", "videos/vtest.avi", URI.create(OPENCV_TUTORIAL + "vtest.avi"),
            "f6f676f1879eadf6b22abd0c2a1f6cecb5ae1ff2a63625512310356514048c5d", 3_155_448);

    public static final Asset VTEST_720P = new Asset("vtest-720p", "videos/vtest_720p.avi",
            URI.create(GH + "lamminhthien/Motion_Detector_OpenCV/2b00577e69a39688ac7532527b8ff3c9e8c17ff7/vtest.avi"),
            "c860e62379d5bd066104516f386487e4adfcf8ddd88af4768c02507d77c79188", 3_022_520);

    public static final Asset CAR_TRAFFIC = new Asset("car-traffic", "videos/car_traffic_small.mp4",
            URI.create(OPENCV_TUTORIAL + "car_traffic_small.mp4"),
            "46f6637b2d52a4deb63b33f72cacb50bf37e1bb4fbd9648f2dff3166df7d69f6", 1_150_361);

    public static final Asset MEGAMIND = new Asset("megamind", "videos/megamind.avi",
            URI.create(OPENCV_TUTORIAL + "test.avi"),
            "0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5", 1_189_270);

    public static final List<Asset> ALL = List.of(DEEPLAB_ONNX, DEEPLAB_TFLITE, GOLDEN_IMAGE, VTEST, VTEST_720P,
            CAR_TRAFFIC, MEGAMIND);

    /** The sample inputs by name, for {@code --input sample:NAME}. */
    public static final List<Asset> SAMPLES = List.of(GOLDEN_IMAGE, VTEST, VTEST_720P, CAR_TRAFFIC, MEGAMIND);

    public static Optional<Asset> byName(String name) {
        return ALL.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
