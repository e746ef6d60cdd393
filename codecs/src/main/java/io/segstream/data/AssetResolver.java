package io.segstream.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an asset's file: first in the data directory (a copy of the project's data layout, from
 * {@code --data-dir} or {@code SEGSTREAM_DATA_DIR}), then in the download cache, else downloads it
 * once into the cache with a progress bar, verifying its SHA-256 before it is used. The cache keeps
 * the same layout ({@code CACHE/data/models/...}), so it can itself serve as a data directory.
 */
public final class AssetResolver {
    private static final Logger LOG = LoggerFactory.getLogger(AssetResolver.class);
    public static final String DATA_DIR_ENV = "SEGSTREAM_DATA_DIR";
    public static final String CACHE_DIR_ENV = "SEGSTREAM_CACHE_DIR";
    /** A base URL that stands in for https://raw.githubusercontent.com/ (a mirror on a closed network). */
    public static final String MIRROR_ENV = "SEGSTREAM_DOWNLOAD_MIRROR";
    static final String PUBLIC_BASE = "https://raw.githubusercontent.com/";
    /** Failures named one by one in {@link #resolveAll}'s message; the rest are counted. */
    private static final int LISTED = 12;

    private final Path dataDir;
    private final Path cacheDir;
    private final Function<URI, URI> urlRewrite;
    private final boolean progress;

    /**
     * @param dataDir a directory laid out like the project's data, or null
     * @param cacheDir where downloads are kept
     * @param urlRewrite maps an asset's public URL to the one fetched (identity, or a mirror)
     */
    public AssetResolver(Path dataDir, Path cacheDir, Function<URI, URI> urlRewrite, boolean progress) {
        this.dataDir = dataDir;
        this.cacheDir = cacheDir;
        this.urlRewrite = urlRewrite;
        this.progress = progress;
    }

    /**
     * The resolver a user gets: data dir from the flag or environment, cache in ~/.cache/segstream,
     * downloads from the public sources or from {@code $SEGSTREAM_DOWNLOAD_MIRROR}.
     */
    public static AssetResolver fromEnvironment(Path dataDirFlag) {
        Path dataDir = dataDirFlag;
        if (dataDir == null && System.getenv(DATA_DIR_ENV) != null) {
            dataDir = Path.of(System.getenv(DATA_DIR_ENV));
        }
        if (dataDir == null && !isBlank(System.getProperty("segstream.data.dir"))) {
            dataDir = Path.of(System.getProperty("segstream.data.dir"));
        }
        return new AssetResolver(dataDir, defaultCacheDir(), mirror(System.getenv(MIRROR_ENV)), true);
    }

    /** Maps public GitHub raw URLs onto {@code base} (same repository/commit/path below it); identity for null. */
    public static Function<URI, URI> mirror(String base) {
        if (isBlank(base)) {
            return Function.identity();
        }
        String root = base.endsWith("/") ? base : base + "/";
        return url -> url.toString().startsWith(PUBLIC_BASE)
                ? URI.create(root + url.toString().substring(PUBLIC_BASE.length()))
                : url;
    }

    public static Path defaultCacheDir() {
        String configured = System.getenv(CACHE_DIR_ENV);
        if (!isBlank(configured)) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = !isBlank(xdg) ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("segstream");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Where downloaded files lie, in the data layout. */
    public Path cacheDataDir() {
        return cacheDir.resolve("data");
    }

    /** The local path of {@code asset}, downloading and verifying it first if needed. */
    public Path resolve(Asset asset) {
        if (dataDir != null) {
            Path local = dataDir.resolve(asset.relativePath());
            if (Files.isRegularFile(local)) {
                verify(asset, local, "the data directory " + dataDir);
                return local;
            }
            LOG.info("{} is not in the data directory {}; trying the cache", asset.relativePath(), dataDir);
        }
        Path cached = cacheDataDir().resolve(asset.relativePath());
        if (Files.isRegularFile(cached)) {
            verify(asset, cached, "the cache");
            return cached;
        }
        return download(asset, cached);
    }

    /**
     * Resolves every asset, reporting all that are missing or wrong at once rather than one per
     * run. Once the download source is unreachable, the remaining downloads are not tried.
     *
     * @throws AssetException listing each asset that could not be provided, and how to provide it
     */
    public List<Path> resolveAll(List<Asset> assets) {
        List<Path> paths = new ArrayList<>(assets.size());
        List<String> failures = new ArrayList<>();
        boolean unreachable = false;
        int notTried = 0;
        for (Asset asset : assets) {
            if (unreachable && localCopy(asset) == null) {
                notTried++;
                continue;
            }
            try {
                paths.add(resolve(asset));
            } catch (AssetException e) {
                failures.add(asset.relativePath() + ": " + e.reason());
                unreachable |= e.unreachable();
            }
        }
        if (!failures.isEmpty()) {
            List<String> shown = new ArrayList<>(failures.subList(0, Math.min(LISTED, failures.size())));
            if (failures.size() > LISTED) {
                shown.add("... and " + (failures.size() - LISTED) + " more");
            }
            if (notTried > 0) {
                shown.add(notTried + " more not tried: the download source is unreachable");
            }
            String nl = System.lineSeparator();
            throw new AssetException((failures.size() + notTried) + " of " + assets.size()
                    + " files are missing or wrong:" + nl + "  " + String.join(nl + "  ", shown) + nl,
                    howToProvide(null), unreachable, null);
        }
        return paths;
    }

    /** The asset's file in the data directory or the cache, unverified, or null. */
    public Path localCopy(Asset asset) {
        if (dataDir != null && Files.isRegularFile(dataDir.resolve(asset.relativePath()))) {
            return dataDir.resolve(asset.relativePath());
        }
        Path cached = cacheDataDir().resolve(asset.relativePath());
        return Files.isRegularFile(cached) ? cached : null;
    }

    private static void verify(Asset asset, Path file, String where) {
        try {
            String actual = Sha256.hex(file);
            if (!actual.equals(asset.sha256())) {
                throw new AssetException(file + " in " + where + " has SHA-256 " + actual + " but " + asset.name()
                        + " must have " + asset.sha256() + "; remove or replace the file");
            }
        } catch (IOException e) {
            throw new AssetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Path download(Asset asset, Path target) {
        URI url = urlRewrite.apply(asset.url());
        LOG.info("downloading {} ({} bytes) from {}", asset.name(), asset.size(), url);
        Path tmp = null;
        Path dir = target.toAbsolutePath().getParent();
        Path firstCreated = firstMissingAncestor(dir);
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, asset.fileName(), ".part");
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(20))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new AssetException("downloading " + asset.name() + " from " + url + " failed: HTTP "
                        + response.statusCode() + ".", howToProvide(asset), false, null);
            }
            MessageDigest digest = Sha256.newDigest();
            long expected = response.headers().firstValueAsLong("Content-Length").orElse(asset.size());
            try (InputStream in = response.body();
                    OutputStream out = Files.newOutputStream(tmp);
                    ProgressBar bar = progressBar(asset, expected)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    digest.update(buffer, 0, n);
                    if (bar != null) {
                        bar.stepBy(n);
                    }
                }
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(asset.sha256())) {
                throw new AssetException("downloaded " + asset.name() + " from " + url + " but its SHA-256 is " + actual
                        + ", expected " + asset.sha256() + "; the file was discarded");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            firstCreated = null;
            LOG.info("{} saved to {}", asset.name(), target);
            return target;
        } catch (IOException e) {
            throw new AssetException("cannot download " + asset.name() + " from " + url + " (" + describe(e) + ").",
                    "Offline? " + howToProvide(asset), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssetException("download of " + asset.name() + " interrupted", e);
        } finally {
            cleanUp(tmp, firstCreated, dir);
        }
    }

    /** What a user can do about a file that cannot be downloaded (null: about several). */
    private String howToProvide(Asset asset) {
        String file = asset == null ? "each file" : "the file";
        String rel = asset == null ? "PATH" : asset.relativePath();
        return "Put a copy of the data directory on this machine and pass --data-dir DIR or set " + DATA_DIR_ENV
                + " (" + file + " belongs at DIR/" + rel + "), put " + file + " at " + cacheDataDir().resolve(rel)
                + ", or name a mirror of " + PUBLIC_BASE + " with " + MIRROR_ENV + ".";
    }

    /** Removes a partial download and the directories this download created, so a failure leaves nothing. */
    private static void cleanUp(Path tmp, Path firstCreated, Path dir) {
        try {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
            if (firstCreated != null) {
                for (Path d = dir; d != null && d.startsWith(firstCreated); d = d.getParent()) {
                    Files.deleteIfExists(d);
                }
            }
        } catch (DirectoryNotEmptyException e) {
            // another download put a file there meanwhile: the directory stays
        } catch (IOException e) {
            LOG.warn("could not remove the partial download {}: {}", tmp, e.getMessage());
        }
    }

    private static Path firstMissingAncestor(Path dir) {
        Path missing = null;
        for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
            missing = d;
        }
        return missing;
    }

    private ProgressBar progressBar(Asset asset, long size) {
        if (!progress) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(asset.fileName()).setInitialMax(size)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1_000_000).showSpeed().build();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
