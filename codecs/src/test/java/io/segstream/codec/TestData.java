package io.segstream.codec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared/data (system property segstream.data.dir, set by the build). */
final class TestData {
    private TestData() {}

    static Path dir() {
        String configured = System.getProperty("segstream.data.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("../../shared/data");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("shared data not found at " + dir.toAbsolutePath()
                    + "; set -Dsegstream.data.dir=/path/to/shared/data");
        }
        return dir;
    }
}
