package io.segstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.segstream.testdata.TestData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download path, against a local HTTP server that serves a real model file of the test data. */
class AssetResolverTest {
    static final Asset MODEL = asset("models/deeplabv3-mnv2-voc-onnx/deeplab_v3_1_default_1.onnx");
    static final Asset GOLDEN = asset("golden/segmentation_input_rotation0.jpg");

    @TempDir
    Path cache;
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    byte[] served;

    static Asset asset(String relativePath) {
        return TestData.manifest().stream().filter(a -> a.relativePath().equals(relativePath)).findFirst()
                .orElseThrow();
    }

    @BeforeEach
    void serveTheModel() throws Exception {
        served = Files.readAllBytes(TestData.file(MODEL.relativePath()));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, served.length);
            exchange.getResponseBody().write(served);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private AssetResolver resolverAt(int port) {
        return new AssetResolver(null, cache, url -> URI.create("http://127.0.0.1:" + port + url.getPath()), false);
    }

    @Test
    void downloadsOnceVerifiesAndThenUsesTheCache() throws Exception {
        AssetResolver resolver = resolverAt(server.getAddress().getPort());
        Path first = resolver.resolve(MODEL);
        assertEquals(MODEL.sha256(), Sha256.hex(first));
        assertEquals(cache.resolve("data").resolve(MODEL.relativePath()), first, "the cache keeps the data layout");
        Path second = resolver.resolve(MODEL);
        assertEquals(first, second);
        assertEquals(1, requests.get(), "the second resolve reads the cache");
    }

    @Test
    void rejectsADownloadWithTheWrongChecksumAndKeepsNothing() throws Exception {
        served[1000] ^= 0x55;
        AssetResolver resolver = resolverAt(server.getAddress().getPort());
        AssetException e = assertThrows(AssetException.class, () -> resolver.resolve(MODEL));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("discarded"), e.getMessage());
        try (var files = Files.walk(cache)) {
            assertEquals(List.of(cache), files.toList(), "no partial file and no empty folder is left in the cache");
        }
    }

    @Test
    void explainsWhatToDoWhenOfflineAndLeavesNoFolderBehind() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AssetResolver resolver = resolverAt(closedPort);
        AssetException e = assertThrows(AssetException.class, () -> resolver.resolve(MODEL));
        assertTrue(e.getMessage().contains("cannot download " + MODEL.name()), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir") && e.getMessage().contains("SEGSTREAM_DATA_DIR")
                && e.getMessage().contains("DIR/" + MODEL.relativePath()), e.getMessage());
        assertTrue(e.unreachable());
        try (var files = Files.walk(cache)) {
            assertEquals(List.of(cache), files.toList(), "a failed download leaves no empty folder");
        }
    }

    @Test
    void reportsEveryMissingFileAtOnceAndStopsDownloadingWhenTheSourceIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AssetException e = assertThrows(AssetException.class,
                () -> resolverAt(closedPort).resolveAll(List.of(MODEL, GOLDEN)));
        assertTrue(e.getMessage().startsWith("2 of 2 files are missing or wrong"), e.getMessage());
        assertTrue(e.getMessage().contains(MODEL.relativePath()), e.getMessage());
        assertTrue(e.getMessage().contains("1 more not tried: the download source is unreachable"), e.getMessage());
    }

    @Test
    void prefersTheDataDirectoryAndChecksItsFiles(@TempDir Path data) throws Exception {
        AssetResolver resolver = new AssetResolver(TestData.dir(), cache, url -> url, false);
        assertEquals(TestData.file(MODEL.relativePath()), resolver.resolve(MODEL));
        Path fake = data.resolve(GOLDEN.relativePath());
        Files.createDirectories(fake.getParent());
        Files.write(fake, new byte[] {1, 2, 3});
        AssetResolver wrong = new AssetResolver(data, cache, url -> url, false);
        AssetException e = assertThrows(AssetException.class, () -> wrong.resolve(GOLDEN));
        assertTrue(e.getMessage().contains("must have " + GOLDEN.sha256()), e.getMessage());
        assertFalse(Files.exists(cache.resolve("data")), "nothing was downloaded");
    }
}
