package io.segstream.model;

import io.segstream.assets.Asset;
import io.segstream.assets.AssetResolver;
import io.segstream.assets.Assets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code --model} argument into an imported model directory: a directory written by
 * {@code segstream model import}, or the name of a known model, which is fetched (data directory,
 * cache or checksummed download) and imported once into the cache.
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
        Optional<Asset> named = Assets.byName(model).filter(a -> a.relativePath().endsWith(".onnx"));
        if (named.isEmpty()) {
            if (model.endsWith(".onnx")) {
                throw new ModelException("--model " + model + " is an ONNX file; import it first with `segstream model "
                        + "import " + model + " --out DIR` and pass --model DIR");
            }
            throw new ModelException("--model " + model + " is neither an imported model directory nor a known model "
                    + "name (known: " + Assets.DEEPLAB_ONNX.name() + ")");
        }
        Asset asset = named.get();
        Path imported = assets.cacheDir().resolve("models").resolve(asset.name() + "-" + asset.sha256().substring(0, 12));
        if (!Files.isRegularFile(imported.resolve(ModelImporter.CARD_FILE))) {
            Path onnx = assets.resolve(asset);
            LOG.info("importing {} into {}", asset.name(), imported);
            ModelImporter.importModel(onnx, imported, ModelImporter.Options.none());
        }
        return imported;
    }
}
