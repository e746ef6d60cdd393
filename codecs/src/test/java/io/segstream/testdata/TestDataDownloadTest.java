package io.segstream.testdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.segstream.data.Asset;
import io.segstream.data.AssetException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test data's download path, against a local HTTP server that serves the shared files the way
 * raw.githubusercontent.com does (REPOSITORY/COMMIT/PATH), named as a mirror.
 */
class TestDataDownloadTest {
    static final List<String> FILES = List.of("golden/segmentation_input_rotation0.jpg",
            "golden/segmentation_golden_rotation0.png", "voc-sample/SegmentationClass/2007_000032.png");

    @TempDir
    Path cache;
    @TempDir
    Path elsewhere;
    HttpServer server;
    final Map<String, byte[]> served = new HashMap<>();
    final Set<String> requested = ConcurrentHashMap.newKeySet();
    List<Asset> files;

    @BeforeEach
    void serveTheSharedFiles() throws IOException {
        files = TestData.manifest().stream().filter(a -> FILES.contains(a.relativePath())).toList();
        assertEquals(FILES.size(), files.size());
        for (Asset file : files) {
            served.put(file.url().getPath(), Files.readAllBytes(TestData.file(file.relativePath())));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requested.add(path);
            byte[] body = served.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private TestData.Locator locator() {
        String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        return new TestData.Locator(Map.of("-Dsegstream.data.dir", elsewhere.resolve("absent")), cache, mirror, false);
    }

    @Test
    void downloadsWhatNoDataDirectoryHoldsOnceIntoTheCache() throws IOException {
        Path dir = locator().locate(files, true);
        assertEquals(cache.resolve("data"), dir);
        for (Asset file : files) {
            assertArrayEquals(Files.readAllBytes(TestData.file(file.relativePath())),
                    Files.readAllBytes(dir.resolve(file.relativePath())), file.relativePath());
        }
        assertEquals(files.size(), requested.size());
        requested.clear();
        assertEquals(dir, locator().locate(files, true), "the second run finds the cache complete");
        assertTrue(requested.isEmpty(), "and downloads nothing");
    }

    @Test
    void aFileWithTheWrongChecksumIsNotKept() {
        Asset bad = files.get(1);
        served.get(bad.url().getPath())[100] ^= 0x20;
        AssetException e = assertThrows(AssetException.class, () -> locator().locate(files, true));
        assertTrue(e.getMessage().contains(bad.relativePath()) && e.getMessage().contains("SHA-256")
                && e.getMessage().contains("discarded"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("data").resolve(bad.relativePath())), "the bad file is not kept");
        try (var left = Files.list(cache.resolve("data").resolve("golden"))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no partial download");
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void aMissingFileIsNamedWithWhereItBelongsAndHowToProvideIt() {
        Asset missing = files.get(2);
        served.remove(missing.url().getPath());
        AssetException e = assertThrows(AssetException.class, () -> locator().locate(files, true));
        String m = e.getMessage();
        assertTrue(m.contains(missing.relativePath() + ": downloading") && m.contains("HTTP 404"), m);
        assertTrue(m.contains(cache.resolve("data").resolve("PATH").toString()), "where it belongs: " + m);
        assertTrue(m.contains("-Dsegstream.data.dir=DIR") && m.contains("-Dsegstream.data.mirror=URL"), m);
        assertTrue(m.contains(elsewhere.resolve("absent") + " (-Dsegstream.data.dir)"), "what was looked in: " + m);
        assertFalse(Files.exists(cache.resolve("data").resolve("voc-sample")), "no empty folder is left behind");
    }
}
