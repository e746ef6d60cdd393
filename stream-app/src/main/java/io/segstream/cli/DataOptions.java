package io.segstream.cli;

import io.segstream.data.AssetResolver;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where named models and sample clips come from; shared by every command that needs them. */
final class DataOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "A directory laid out like the project's shared data (models/, videos/, golden/...). "
                    + "Default: $" + AssetResolver.DATA_DIR_ENV + "; files not found there are downloaded once into "
                    + "the cache and verified by SHA-256.")
    Path dataDir;

    AssetResolver resolver() {
        return AssetResolver.fromEnvironment(dataDir);
    }
}
