package io.segstream.assets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.segstream.SharedData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download path, against a local HTTP server that serves the shared model file. */
class AssetResolverTest {
    @TempDir
    Path cache;
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    byte[] served;

    @BeforeEach
    void serveSharedModel() throws Exception {
        served = Files.readAllBytes(SharedData.path(Assets.DEEPLAB_ONNX));
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
        Path first = resolver.resolve(Assets.DEEPLAB_ONNX);
        assertEquals(Assets.DEEPLAB_ONNX.sha256(), Sha256.hex(first));
        assertTrue(first.startsWith(cache));
        Path second = resolver.resolve(Assets.DEEPLAB_ONNX);
        assertEquals(first, second);
        assertEquals(1, requests.get(), "the second resolve reads the cache");
    }

    @Test
    void rejectsADownloadWithTheWrongChecksumAndKeepsNothing() throws Exception {
        served[1000] ^= 0x55;
        AssetResolver resolver = resolverAt(server.getAddress().getPort());
        AssetException e = assertThrows(AssetException.class, () -> resolver.resolve(Assets.DEEPLAB_ONNX));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("discarded"), e.getMessage());
        try (var files = Files.walk(cache)) {
            assertFalse(files.anyMatch(Files::isRegularFile), "no partial or bad file is left in the cache");
        }
    }

    @Test
    void explainsWhatToDoWhenOffline() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AssetResolver resolver = resolverAt(closedPort);
        AssetException e = assertThrows(AssetException.class, () -> resolver.resolve(Assets.DEEPLAB_ONNX));
        assertTrue(e.getMessage().contains("cannot download deeplabv3-mnv2-voc"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir") && e.getMessage().contains("SEGSTREAM_DATA_DIR"), e.getMessage());
    }

    @Test
    void prefersTheDataDirectoryAndChecksItsFiles(@TempDir Path data) throws Exception {
        AssetResolver resolver = new AssetResolver(SharedData.dir(), cache, url -> url, false);
        assertEquals(SharedData.dir().resolve(Assets.DEEPLAB_ONNX.relativePath()), resolver.resolve(Assets.DEEPLAB_ONNX));
        Path fake = data.resolve(Assets.GOLDEN_IMAGE.relativePath());
        Files.createDirectories(fake.getParent());
        Files.write(fake, new byte[] {1, 2, 3});
        AssetResolver wrong = new AssetResolver(data, cache, url -> url, false);
        AssetException e = assertThrows(AssetException.class, () -> wrong.resolve(Assets.GOLDEN_IMAGE));
        assertTrue(e.getMessage().contains("must have " + Assets.GOLDEN_IMAGE.sha256()), e.getMessage());
    }
}
