package io.segstream.testdata;

import io.segstream.data.Asset;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by the build before the first tests (exec-maven-plugin, codecs module): finds or downloads
 * every file the tests use and checks each SHA-256, so that a machine without the data stops here
 * with one message instead of failing test by test.
 */
public final class FetchTestData {
    private FetchTestData() {}

    public static void main(String[] args) {
        List<Asset> files = TestData.manifest();
        Path dir = TestData.fromEnvironment().locate(files, true);
        long bytes = files.stream().mapToLong(Asset::size).sum();
        System.out.printf("test data: %d files (%.1f MB), SHA-256 checked, in %s%n", files.size(), bytes / 1e6, dir);
    }
}
