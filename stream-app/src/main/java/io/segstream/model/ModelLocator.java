package io.segstream.model;

import io.segstream.data.AssetResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code --model} argument into an imported model directory: a directory written by
 * {@code segstream model import}, or the name of a model in the {@link ModelZoo} (optionally
 * {@code NAME:int8} or {@code NAME:float}), whose file is fetched (data directory, cache or
 * checksummed download) and imported once into the cache.
 */
public final class ModelLocator {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLocator.class);

    private ModelLocator() {}

    public static Path locate(String model, AssetResolver assets) throws IOException {
        Path dir = Path.of(model);
        if (Files.isDirectory(dir)) {
            if (!Files.isRegularFile(dir.resolve(ModelImporter.CARD_FILE))
                    || !Files.isRegularFile(dir.resolve(ModelImporter.MODEL_FILE))) {
                throw new ModelException("--model " + model + " is a directory without " + ModelImporter.MODEL_FILE
                        + " and " + ModelImporter.CARD_FILE + "; create it with `segstream model import FILE --out "
                        + model + "`");
            }
            return dir;
        }
        Optional<ModelZoo.Named> named = ModelZoo.lookup(model);
        if (named.isEmpty()) {
            String lower = model.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".onnx") || lower.endsWith(".tflite")) {
                throw new ModelException("--model " + model + " is a model file; import it first with `segstream model "
                        + "import " + model + " --out DIR` and pass --model DIR");
            }
            throw new ModelException("--model " + model + " is neither an imported model directory nor a known model "
                    + "name; known: " + String.join(", ", ModelZoo.names()) + " (segstream model list)");
        }
        return importedDir(named.get(), assets);
    }

    /** The cache directory of a zoo model in a precision, imported on first use. */
    public static Path importedDir(ModelZoo.Named named, AssetResolver assets) throws IOException {
        ModelZoo.Entry entry = named.entry();
        ModelImporter.Precision precision = named.effectivePrecision();
        Path imported = cachedDir(named, assets);
        if (!Files.isRegularFile(imported.resolve(ModelImporter.CARD_FILE))) {
            Path file = assets.resolve(entry.file());
            LOG.info("importing {} ({}) into {}", entry.name(), precision.cardName(), imported);
            ModelImporter.importModel(file, imported, ModelImporter.Options.none().withName(entry.name())
                    .withPrecision(precision));
        }
        return imported;
    }

    /**
     * What a cached import's card holds, in its directory name: an import made before a card gained
     * a field (card 2: the CRF parameters measured per model), or before the parameters of a known
     * model were measured (card 3: the default model's), is made again rather than read without them.
     */
    private static final String CARD_VERSION = "card3";

    /** Where {@link #importedDir} keeps a zoo model: a directory per name, precision, checksum, card version. */
    public static Path cachedDir(ModelZoo.Named named, AssetResolver assets) {
        ModelZoo.Entry entry = named.entry();
        return assets.cacheDir().resolve("models").resolve(entry.name() + "-"
                + named.effectivePrecision().cardName() + "-" + entry.file().sha256().substring(0, 12) + "-"
                + CARD_VERSION);
    }
}
