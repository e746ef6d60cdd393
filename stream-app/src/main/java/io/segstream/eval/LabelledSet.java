package io.segstream.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Labelled data on disk, in one of the two layouts {@code segstream eval} reads:
 * <ul>
 *   <li>VOC: a folder of JPEG images and a folder of palette PNG masks with the same base names,
 *       whose raster value is the class index (255: ignore);
 *   <li>DAVIS: a folder of sequences (sub-folders of frames) and a folder of the same sequences'
 *       binary masks (0 background, non-zero the annotated object), one mask per frame; a folder of
 *       frames alone is one sequence.
 * </ul>
 */
public record LabelledSet(Layout layout, List<Sequence> sequences) {
    /** The two layouts. */
    public enum Layout { VOC, DAVIS }

    /** One image and its mask. */
    public record Sample(String id, Path image, Path mask) {}

    /** Images scored together: a VOC set is one "sequence" of stills; a DAVIS sequence is one camera. */
    public record Sequence(String name, List<Sample> samples) {}

    /** Total images. */
    public int size() {
        return sequences.stream().mapToInt(s -> s.samples().size()).sum();
    }

    /** Reads a set, telling the layouts apart: sub-folders of frames are DAVIS, images directly are VOC. */
    public static LabelledSet load(Path images, Path masks, Layout layout) throws IOException {
        requireDir(images, "--images");
        requireDir(masks, "--masks");
        Layout resolved = layout != null ? layout : (hasSubfolders(images) ? Layout.DAVIS : Layout.VOC);
        List<Sequence> sequences = new ArrayList<>();
        if (resolved == Layout.DAVIS && hasSubfolders(images)) {
            for (Path dir : list(images, Files::isDirectory)) {
                Path maskDir = masks.resolve(dir.getFileName().toString());
                requireDir(maskDir, "--masks (sequence " + dir.getFileName() + ")");
                sequences.add(new Sequence(dir.getFileName().toString(), pairs(dir, maskDir)));
            }
        } else {
            sequences.add(new Sequence(images.getFileName().toString(), pairs(images, masks)));
        }
        LabelledSet set = new LabelledSet(resolved, List.copyOf(sequences));
        if (set.size() == 0) {
            throw new IllegalArgumentException("--images " + images + " holds no images (.jpg, .jpeg, .png, .bmp)");
        }
        return set;
    }

    /** Each image with the mask of the same base name ({@code .png}); every image must have one. */
    private static List<Sample> pairs(Path images, Path masks) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Path image : list(images, LabelledSet::isImage)) {
            String id = stem(image);
            Path mask = masks.resolve(id + ".png");
            if (!Files.isRegularFile(mask)) {
                missing.add(mask.getFileName().toString());
                continue;
            }
            samples.add(new Sample(id, image, mask));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(missing.size() + " images of " + images + " have no mask in " + masks
                    + " (first: " + missing.get(0) + ")");
        }
        return samples;
    }

    private static boolean hasSubfolders(Path dir) throws IOException {
        return !list(dir, Files::isDirectory).isEmpty();
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(keep).sorted().toList();
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png")
                || n.endsWith(".bmp"));
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static void requireDir(Path dir, String option) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is not a folder");
        }
    }
}
