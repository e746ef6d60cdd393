package io.segstream.assets;

import io.segstream.data.Asset;
import io.segstream.data.DataManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files segstream can fetch by itself (models, golden images, sample clips), each pinned to
 * its public source at a fixed commit and to its SHA-256. They are listed in {@code assets.tsv}
 * beside this class, rows of the project's data manifest, so path, checksum and source are stated
 * once; this class names the ones the code refers to.
 */
public final class Assets {
    private Assets() {}

    /** Every file in the catalogue, by its path in the data layout. */
    public static final Map<String, Asset> ALL = load();

    public static final Asset DEEPLAB_ONNX = file("models/deeplabv3-mnv2-voc-onnx/deeplab_v3_1_default_1.onnx");
    public static final Asset DEEPLAB_TFLITE = file("models/deeplabv3-mnv2-voc-tflite/deeplabv3.tflite");
    public static final Asset GOLDEN_IMAGE = file("golden/segmentation_input_rotation0.jpg");
    public static final Asset VTEST = file("videos/vtest.avi");
    public static final Asset VTEST_720P = file("videos/vtest_720p.avi");
    public static final Asset CAR_TRAFFIC = file("videos/car_traffic_small.mp4");
    public static final Asset MEGAMIND = file("videos/megamind.avi");
    public static final Asset CORAL_BIRD = file("golden/coral/bird_segmentation.bmp");
    public static final Asset CORAL_BIRD_MASK = file("golden/coral/bird_segmentation_mask.bmp");
    public static final Asset CORAL_DOG = file("golden/coral/dog_segmentation.bmp");
    public static final Asset CORAL_STREET = file("golden/coral/cityscapes_segmentation.bmp");
    public static final Asset CORAL_STREET_MASK = file("golden/coral/cityscapes_segmentation_mask.bmp");

    /** The sample inputs by name, for {@code --input sample:NAME}. */
    public static final Map<String, Asset> SAMPLES = samples();

    private static Map<String, Asset> samples() {
        Map<String, Asset> samples = new LinkedHashMap<>();
        samples.put("golden", GOLDEN_IMAGE);
        samples.put("vtest", VTEST);
        samples.put("vtest-720p", VTEST_720P);
        samples.put("car-traffic", CAR_TRAFFIC);
        samples.put("megamind", MEGAMIND);
        samples.put("bird", CORAL_BIRD);
        samples.put("dog", CORAL_DOG);
        samples.put("street", CORAL_STREET);
        return java.util.Collections.unmodifiableMap(samples);
    }

    /** A catalogued file by its path in the data layout. */
    public static Asset file(String relativePath) {
        Asset asset = ALL.get(relativePath);
        if (asset == null) {
            throw new IllegalArgumentException(relativePath + " is not in the asset catalogue");
        }
        return asset;
    }

    /** A sample by name ("vtest"), if there is one. */
    public static Optional<Asset> sample(String name) {
        return Optional.ofNullable(SAMPLES.get(name));
    }

    private static Map<String, Asset> load() {
        try (InputStream in = Assets.class.getResourceAsStream("assets.tsv")) {
            if (in == null) {
                throw new IllegalStateException("assets.tsv is missing from the jar");
            }
            Map<String, Asset> all = new LinkedHashMap<>();
            for (Asset a : DataManifest.parse(in, "assets.tsv")) {
                all.put(a.relativePath(), a);
            }
            return java.util.Collections.unmodifiableMap(all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every catalogued file of {@code folder} (for listings). */
    public static List<Asset> under(String folder) {
        return ALL.values().stream().filter(a -> a.relativePath().startsWith(folder)).toList();
    }
}
