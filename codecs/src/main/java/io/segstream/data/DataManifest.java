package io.segstream.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of data files in the format of the project's {@code MANIFEST.tsv}: one row per file with
 * its path in the data layout, size, SHA-256 and its public source (repository, path, commit).
 * Each row becomes an {@link Asset} downloadable from GitHub at that commit.
 */
public final class DataManifest {
    static final String HEADER = "file\tbytes\tsha256\tsource_repo\tsource_path\tsource_commit";

    private DataManifest() {}

    /** Parses a manifest (header line first); throws naming the line for a malformed row. */
    public static List<Asset> parse(InputStream in, String origin) {
        List<Asset> assets = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = reader.readLine();
            if (!HEADER.equals(header)) {
                throw new IllegalArgumentException(origin + " does not start with the manifest header '" + HEADER + "'");
            }
            String line;
            int number = 1;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 6 || f[2].length() != 64) {
                    throw new IllegalArgumentException(origin + " line " + number + " is not a manifest row: " + line);
                }
                URI url = URI.create(AssetResolver.PUBLIC_BASE + f[3] + "/" + f[5] + "/" + encodePath(f[4]));
                assets.add(new Asset(f[0], f[0], url, f[2], Long.parseLong(f[1])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + origin, e);
        }
        return assets;
    }

    /** Percent-encodes the characters of a repository path that a URL cannot carry as they are. */
    private static String encodePath(String path) {
        return path.replace("%", "%25").replace(" ", "%20").replace("(", "%28").replace(")", "%29");
    }
}
