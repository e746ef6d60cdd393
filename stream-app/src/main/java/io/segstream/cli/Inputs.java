package io.segstream.cli;

import io.segstream.data.Asset;
import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves an input option: sample:NAME (data dir, cache or checksummed download), a URL, a webcam or a file. */
final class Inputs {
    private Inputs() {}

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
