package io.segstream.assets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an asset's file: first in the data directory (a copy of ../shared/data's layout, from
 * {@code --data-dir} or {@code SEGSTREAM_DATA_DIR}), then in the download cache, else downloads it
 * once into the cache with a progress bar, verifying its SHA-256 before it is used.
 */
public final class AssetResolver {
    private static final Logger LOG = LoggerFactory.getLogger(AssetResolver.class);
    public static final String DATA_DIR_ENV = "SEGSTREAM_DATA_DIR";
    public static final String CACHE_DIR_ENV = "SEGSTREAM_CACHE_DIR";

    private final Path dataDir;
    private final Path cacheDir;
    private final Function<URI, URI> urlRewrite;
    private final boolean progress;

    /**
     * @param dataDir a directory laid out like ../shared/data, or null
     * @param cacheDir where downloads are kept
     * @param urlRewrite maps an asset's public URL to the one fetched (identity, or a mirror)
     */
    public AssetResolver(Path dataDir, Path cacheDir, Function<URI, URI> urlRewrite, boolean progress) {
        this.dataDir = dataDir;
        this.cacheDir = cacheDir;
        this.urlRewrite = urlRewrite;
        this.progress = progress;
    }

    /** The resolver a user gets: data dir from the flag or environment, cache in ~/.cache/segstream. */
    public static AssetResolver fromEnvironment(Path dataDirFlag) {
        Path dataDir = dataDirFlag;
        if (dataDir == null && System.getenv(DATA_DIR_ENV) != null) {
            dataDir = Path.of(System.getenv(DATA_DIR_ENV));
        }
        if (dataDir == null && System.getProperty("segstream.data.dir") != null) {
            dataDir = Path.of(System.getProperty("segstream.data.dir"));
        }
        return new AssetResolver(dataDir, defaultCacheDir(), Function.identity(), true);
    }

    public static Path defaultCacheDir() {
        String configured = System.getenv(CACHE_DIR_ENV);
        if (configured != null) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("segstream");
    }

    public Path cacheDir() {
        return cacheDir;
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
        Path cached = cacheDir.resolve("assets").resolve(asset.sha256().substring(0, 12)).resolve(asset.fileName());
        if (Files.isRegularFile(cached)) {
            verify(asset, cached, "the cache");
            return cached;
        }
        return download(asset, cached);
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
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), asset.fileName(), ".part");
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
                        + response.statusCode());
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
            LOG.info("{} saved to {}", asset.name(), target);
            return target;
        } catch (IOException e) {
            throw new AssetException("cannot download " + asset.name() + " from " + url + " (" + describe(e)
                    + "). Offline? Put a copy of the data directory on this machine and pass --data-dir DIR or set "
                    + DATA_DIR_ENV + "; the file belongs at DIR/" + asset.relativePath(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssetException("download of " + asset.name() + " interrupted", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("could not remove the partial download {}: {}", tmp, e.getMessage());
                }
            }
        }
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
}
