package io.segstream.bench;

import io.segstream.assets.CheckImages;
import io.segstream.data.AssetResolver;
import io.segstream.importcheck.TfliteCheck;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelZoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How closely each 8-bit TFLite model of the zoo, imported in both forms (int8 QDQ and float),
 * computes what the TFLite interpreter computes on the check images (Coral's test images, the
 * golden image, 20 video frames): the share of all pixels whose labels agree, the least on one
 * image, the interpreter's default (XNNPACK) kernels against its builtin ones, and agreement with
 * Coral's expected masks where there is one.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.ImportAgreement
 * </pre>
 */
public final class ImportAgreement {
    private ImportAgreement() {}

    public static void main(String[] args) throws Exception {
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        Path work = Files.createTempDirectory("import-agreement");
        System.out.println("| model | form | labels agree (all pixels) | least on one image | interpreter XNNPACK vs "
                + "builtin | Coral's mask: ours / interpreter |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (ModelZoo.Entry entry : ModelZoo.ALL) {
            if (!entry.quantised() || (args.length > 0 && !List.of(args).contains(entry.name()))) {
                continue;
            }
            CheckImages.Coral coral = entry.dataset().equals("Cityscapes") ? CheckImages.Coral.CITYSCAPES
                    : CheckImages.Coral.VOC;
            List<TfliteCheck.Image> images = CheckImages.load(assets, coral, why -> System.err.println("skipped " + why));
            Path file = assets.resolve(entry.file());
            TfliteCheck.Reference ref = TfliteCheck.reference(file, images, 2);
            for (ModelImporter.Precision precision : ModelImporter.Precision.values()) {
                Path dir = work.resolve(entry.name() + "-" + precision);
                ModelImporter.importModel(file, dir, ModelImporter.Options.none().withPrecision(precision));
                TfliteCheck.Result r = TfliteCheck.compare(ref, dir, 2);
                String mask = r.images().stream().filter(i -> !Double.isNaN(i.expectedByUs()))
                        .map(i -> String.format(Locale.ROOT, "%s %.2f%% / %.2f%%", i.name(), 100 * i.expectedByUs(),
                                100 * i.expectedByTflite())).reduce((a, b) -> a + "; " + b).orElse("");
                System.out.printf(Locale.ROOT, "| %s | %s | %.2f%% %s | %.2f%% | %.2f%% | %s |%n", entry.name(),
                        precision.name().toLowerCase(Locale.ROOT), 100 * r.pooled(), r.passed() ? "(pass)" : "(FAIL)",
                        100 * r.min(), 100 * r.interpreterSelf(), mask);
            }
        }
    }
}
