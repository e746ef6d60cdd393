package io.segstream.cli;

import io.segstream.data.Asset;
import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves an input option: sample:NAME (data dir, cache or checksummed download), a URL, a webcam or a file. */
final class Inputs {
    private Inputs() {}

    /**
     * Fetches every named file a command needs (its sample inputs and its model) in one go, so a data
     * directory missing several reports all of them at once rather than one per run.
     */
    static void prefetch(AssetResolver assets, java.util.List<String> inputs, String model) {
        java.util.List<Asset> needed = new java.util.ArrayList<>();
        for (String input : inputs) {
            if (input.startsWith("sample:")) {
                Assets.sample(input.substring("sample:".length())).ifPresent(needed::add);
            }
        }
        if (model != null) {
            io.segstream.model.ModelZoo.lookup(model).ifPresent(n -> needed.add(n.entry().file()));
        }
        assets.resolveAll(needed);
    }

    /** What FFmpeg should open for {@code input}. */
    static String resolveVideo(String option, String input, AssetResolver assets) {
        if (input.startsWith("sample:")) {
            String name = input.substring("sample:".length());
            Asset sample = Assets.sample(name).orElseThrow(() -> new IllegalArgumentException(option + " " + input
                    + " is not a sample; samples: " + Assets.SAMPLES.keySet().stream().map(n -> "sample:" + n).toList()));
            return assets.resolve(sample).toString();
        }
        if (input.contains("://") || input.startsWith("webcam:")) {
            return input;
        }
        if (!Files.isRegularFile(Path.of(input))) {
            throw new IllegalArgumentException(option + " " + input + " does not exist");
        }
        return input;
    }
}
