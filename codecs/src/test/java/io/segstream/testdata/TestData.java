package io.segstream.testdata;

import io.segstream.data.Asset;
import io.segstream.data.AssetException;
import io.segstream.data.AssetResolver;
import io.segstream.data.DataManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real data the tests read (models, clips, golden masks, VOC and DAVIS samples), found the
 * way the product finds its models. Candidates, in order: {@code -Dsegstream.data.dir},
 * {@code $SEGSTREAM_DATA_DIR}, {@code ../shared/data} beside the checkout, and the cache
 * ({@code ~/.cache/segstream/data}). The first candidate that holds every file is used; otherwise
 * the missing files are downloaded once into the cache from their public sources at fixed commits
 * ({@code -Dsegstream.data.mirror} or {@code $SEGSTREAM_DOWNLOAD_MIRROR} names a stand-in for
 * raw.githubusercontent.com) and checked by SHA-256, and the cache is used.
 *
 * <p>{@code test-data.tsv} beside this class lists the files the tests use: the rows of the shared
 * data's MANIFEST.tsv for models/, golden/, videos/, voc-sample/ and the DAVIS frames and masks.
 * The build runs {@link FetchTestData} once before the first tests, so a machine without the
 * data stops with one message.
 */
public final class TestData {
    public static final String MANIFEST = "test-data.tsv";

    private static volatile Path dir;

    private TestData() {}

    /** The files the tests use. */
    public static List<Asset> manifest() {
        try (InputStream in = TestData.class.getResourceAsStream(MANIFEST)) {
            if (in == null) {
                throw new IllegalStateException(MANIFEST + " is not on the test classpath");
            }
            return DataManifest.parse(in, MANIFEST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory laid out like the shared data that holds every file of the manifest. */
    public static Path dir() {
        Path found = dir;
        if (found == null) {
            synchronized (TestData.class) {
                if (dir == null) {
                    dir = fromEnvironment().locate(manifest(), false);
                }
                found = dir;
            }
        }
        return found;
    }

    /** A file of the test data by its path in the data layout. */
    public static Path file(String relativePath) {
        return dir().resolve(relativePath);
    }

    /** Where to look and where to download from, as this JVM's properties and environment say. */
    static Locator fromEnvironment() {
        Map<String, Path> candidates = new LinkedHashMap<>();
        String property = System.getProperty("segstream.data.dir");
        if (property != null && !property.isBlank()) {
            candidates.put("-Dsegstream.data.dir", Path.of(property));
        }
        String env = System.getenv(AssetResolver.DATA_DIR_ENV);
        if (env != null && !env.isBlank()) {
            candidates.put("$" + AssetResolver.DATA_DIR_ENV, Path.of(env));
        }
        String checkout = System.getProperty("segstream.checkout.dir");
        Path root = checkout != null && !checkout.isBlank() ? Path.of(checkout) : Path.of("..");
        candidates.put("../shared/data beside the checkout", root.resolve("../shared/data").toAbsolutePath().normalize());
        String mirror = System.getProperty("segstream.data.mirror");
        if (mirror == null || mirror.isBlank()) {
            mirror = System.getenv(AssetResolver.MIRROR_ENV);
        }
        return new Locator(candidates, AssetResolver.defaultCacheDir(), mirror, true);
    }

    /**
     * Finds the test data among candidate directories, else downloads it into a cache.
     *
     * @param candidates data directories to look in, in order, each with the setting that names it
     * @param cache the download cache (files go to {@code cache/data/PATH})
     * @param mirror a stand-in for raw.githubusercontent.com, or null
     */
    record Locator(Map<String, Path> candidates, Path cache, String mirror, boolean progress) {
        Path cacheDataDir() {
            return cache.resolve("data");
        }

        /**
         * The first candidate, or the cache, holding every file (by size; {@code verify} also checks
         * each SHA-256); else the cache after downloading what is missing there.
         */
        Path locate(List<Asset> files, boolean verify) {
            List<Path> places = new ArrayList<>(candidates.values());
            places.add(cacheDataDir());
            for (Path place : places) {
                if (holdsAll(place, files)) {
                    if (verify) {
                        new AssetResolver(place, cache, url -> url, false).resolveAll(files);
                    }
                    return place;
                }
            }
            download(files);
            return cacheDataDir();
        }

        /** Fills the cache with the files it lacks, copying those a partial data directory holds. */
        private void download(List<Asset> files) {
            Path partial = candidates.values().stream().filter(Files::isDirectory).findFirst().orElse(null);
            AssetResolver resolver = new AssetResolver(partial, cache, AssetResolver.mirror(mirror), progress);
            List<Asset> missing = files.stream().filter(f -> !holdsAll(cacheDataDir(), List.of(f))).toList();
            long bytes = missing.stream().mapToLong(Asset::size).sum();
            System.err.printf("test data: %d of %d files (%.1f MB) are not on this machine; fetching them into %s%n",
                    missing.size(), files.size(), bytes / 1e6, cacheDataDir());
            try {
                List<Path> found = resolver.resolveAll(missing);
                for (int i = 0; i < found.size(); i++) {
                    Path target = cacheDataDir().resolve(missing.get(i).relativePath());
                    if (!found.get(i).equals(target)) {
                        Files.createDirectories(target.getParent());
                        Files.copy(found.get(i), target);
                    }
                }
            } catch (AssetException e) {
                String looked = String.join(", ", candidates.entrySet().stream()
                        .map(c -> c.getValue() + " (" + c.getKey() + ")").toList());
                throw new AssetException("the tests need data that is not on this machine. Looked in " + looked
                        + " and " + cacheDataDir() + " (the cache); downloading failed: " + e.reason(),
                        "Connect to the internet, or give a copy of the project's shared data with "
                                + "-Dsegstream.data.dir=DIR or $" + AssetResolver.DATA_DIR_ENV + " (each file at DIR/PATH), "
                                + "put each file at " + cacheDataDir().resolve("PATH") + ", or name a mirror of "
                                + "raw.githubusercontent.com with -Dsegstream.data.mirror=URL.", e.unreachable(), null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy test data into " + cacheDataDir(), e);
            }
        }
    }

    private static boolean holdsAll(Path dir, List<Asset> files) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (Asset file : files) {
            Path p = dir.resolve(file.relativePath());
            try {
                if (!Files.isRegularFile(p) || Files.size(p) != file.size()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
