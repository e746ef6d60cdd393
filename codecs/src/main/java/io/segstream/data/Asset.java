package io.segstream.data;

import java.net.URI;

/**
 * A file Segstream can fetch by name: where it lies inside a data directory laid out like
 * ../shared/data, its public source at a fixed commit, and its SHA-256.
 */
public record Asset(String name, String relativePath, URI url, String sha256, long size) {
    public String fileName() {
        return relativePath.substring(relativePath.lastIndexOf('/') + 1);
    }
}
