package io.segstream.assets;

import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.VideoFrames;
import io.segstream.data.Asset;
import io.segstream.data.AssetException;
import io.segstream.data.AssetResolver;
import io.segstream.importcheck.TfliteCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The images an import is checked on: Coral's test images, with the masks their models are
 * expected to give (the VOC bird and dog for a VOC model, the street for a Cityscapes model), the
 * TFLite golden image, and 20 real video frames (10 of vtest, 10 of the traffic clip). An image
 * whose file cannot be had here (offline, not in the data directory) is left out and reported.
 * They live with the catalogue ({@link Assets}) rather than in {@code importcheck}, which checks
 * whatever images it is given and never fetches a file (DESIGN.md, "Packages").
 */
public final class CheckImages {
    private CheckImages() {}

    /** Frames taken from each clip, first frame, spacing. */
    static final int FRAMES_PER_CLIP = 10;

    /** Which of Coral's expected masks apply: those of its VOC models, of its Cityscapes model, or none. */
    public enum Coral { VOC, CITYSCAPES, NONE }

    /**
     * @param coral which of Coral's test images (with their expected masks) to include
     * @param skipped told about each image left out, and why
     */
    public static List<TfliteCheck.Image> load(AssetResolver assets, Coral coral, Consumer<String> skipped)
            throws IOException {
        List<TfliteCheck.Image> images = new ArrayList<>();
        if (coral == Coral.CITYSCAPES) {
            coral(assets, "coral street", Assets.CORAL_STREET, Assets.CORAL_STREET_MASK, images, skipped);
        } else if (coral == Coral.VOC) {
            coral(assets, "coral bird", Assets.CORAL_BIRD, Assets.CORAL_BIRD_MASK, images, skipped);
            // Coral's dog mask holds classes 0-2 (another model's table; VOC's dog is 12), so the dog image
            // is checked against the interpreter only.
            coral(assets, "coral dog", Assets.CORAL_DOG, null, images, skipped);
        }
        try {
            images.add(new TfliteCheck.Image("golden", ImageFiles.read(assets.resolve(Assets.GOLDEN_IMAGE)), null));
        } catch (AssetException e) {
            skipped.accept("golden image: " + e.reason());
        }
        clip(assets, Assets.VTEST, 50, 60, images, skipped);
        clip(assets, Assets.CAR_TRAFFIC, 30, 80, images, skipped);
        return images;
    }

    private static void coral(AssetResolver assets, String name, Asset image, Asset mask, List<TfliteCheck.Image> out,
            Consumer<String> skipped) throws IOException {
        try {
            LabelMap expected = mask == null ? null : MaskPng.decode(Files.readAllBytes(assets.resolve(mask)));
            out.add(new TfliteCheck.Image(name, ImageFiles.read(assets.resolve(image)), expected));
        } catch (AssetException e) {
            skipped.accept(name + ": " + e.reason());
        }
    }

    private static void clip(AssetResolver assets, Asset clip, int first, int step, List<TfliteCheck.Image> out,
            Consumer<String> skipped) {
        try {
            var frames = VideoFrames.sample(assets.resolve(clip), first, FRAMES_PER_CLIP, step);
            for (int i = 0; i < frames.size(); i++) {
                out.add(new TfliteCheck.Image(clip.fileName() + " frame " + (first + i * step), frames.get(i), null));
            }
        } catch (AssetException e) {
            skipped.accept(clip.fileName() + ": " + e.reason());
        }
    }
}
