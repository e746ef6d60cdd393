package io.segstream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SegstreamProcess;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicReader;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.schemas.v1.Frame;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera stream that drops: this test serves the sample clip live over HTTP (MPEG-TS, FFmpeg's
 * own HTTP server through JavaCV, on loopback), stops the server for three seconds mid-stream,
 * serves again, then stops for good. {@code segstream ingest}, in a JVM of its own, must reconnect,
 * keep the camera's sequence numbers increasing with a gap where the outage was (so the processor
 * starts that camera cold), produce no frame twice, say once that the stream was lost (not once per
 * attempt), and stay up while the camera is gone.
 */
@Tag("integration")
class StreamDropTest {
    static final int FRAMES_PER_ROUND = 40;

    @TempDir
    Path work;

    @Test
    void ingestReconnectsAfterTheServerComesBackWithAGapAndNoFrameTwice() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/live.ts";
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try {
                    serve(url, 0);
                    Thread.sleep(3_000); // the outage: nothing listens
                    serve(url, FRAMES_PER_ROUND);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SegstreamProcess ingest = SegstreamProcess.start(work.resolve("ingest.log"), List.of(), "ingest",
                    "-b", broker.bootstrapServers(), "--source", url, "--camera", "live-cam",
                    "--metrics-port", "0", "-X", "ingest.reconnect.backoff.ms=200", "-X", "ingest.reconnect.backoff.max.ms=1000")) {
                server.get(2, TimeUnit.MINUTES);
                // The camera is gone for good now: several attempts fail, one line says so.
                assertTrue(ingest.awaitOutput(o -> count(o, "lost after") == 2, Duration.ofSeconds(30)),
                        ingest.output());
                String early = scrape(ingest.output(), "/metrics").body();
                Thread.sleep(4_000);
                String out = ingest.output();
                assertTrue(ingest.isAlive(), "ingest ended while the camera was gone:\n" + out);
                assertEquals(2, count(out, "lost after"), "one line per drop, not per attempt:\n" + out);
                assertEquals(1, count(out, "stream back after"), out);
                assertTrue(out.contains("(a stream: reconnects when it drops)"), out);
                assertCameraAwayInMetrics(out, early);
                long sentAt = System.nanoTime();
                ingest.terminate();
                Integer exit = ingest.awaitExit(Duration.ofSeconds(10));
                assertNotNull(exit, "SIGTERM while reconnecting did not end ingest:\n" + ingest.output());
                System.out.printf("stream drop: SIGTERM while reconnecting ended ingest in %.2f s (exit %d)%n",
                        (System.nanoTime() - sentAt) / 1e9, exit);
                System.out.println(ingest.output().lines().filter(l -> l.contains("ReconnectingIngest"))
                        .reduce("", (a, b) -> a + b + "\n"));
            }
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of("bootstrap.servers",
                    broker.bootstrapServers()));
            List<Long> sequences = new ArrayList<>();
            TopicReader.readAll(new KafkaSettings(loaded.segstream(), loaded.kafka()).consumer(), "frames", r -> {
                try {
                    Frame frame = Frame.parseFrom(r.value());
                    assertEquals("live-cam", frame.getCameraId());
                    sequences.add(frame.getSequence());
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(2 * FRAMES_PER_ROUND, sequences.size(), "every served frame once: " + sequences);
            int gaps = 0;
            for (int i = 1; i < sequences.size(); i++) {
                long step = sequences.get(i) - sequences.get(i - 1);
                assertTrue(step >= 1, "not increasing at " + i + ": " + sequences);
                if (step > 1) {
                    gaps++;
                    assertEquals(FRAMES_PER_ROUND, i, "the gap is where the outage was: " + sequences);
                    // about 3 s at 10 frames/s were missed
                    assertTrue(step >= 20 && step <= 80, "gap of " + step + ": " + sequences);
                }
            }
            assertEquals(1, gaps, sequences.toString());
            System.out.printf("stream drop: %d frames, sequence %d then %d after the outage%n", sequences.size(),
                    sequences.get(FRAMES_PER_ROUND - 1), sequences.get(FRAMES_PER_ROUND));
        }
    }

    /**
     * While the camera stays away, ingest's endpoint says so: stream down for seconds, two drops,
     * attempts in the last 4 s no faster than the backoff allows (200 ms doubling to 1 s), /readyz 503.
     */
    private static void assertCameraAwayInMetrics(String out, String early) throws Exception {
        String page = scrape(out, "/metrics").body();
        double up = sample(page, "segstream_ingest_stream_up");
        double down = sample(page, "segstream_ingest_stream_down_seconds");
        double drops = sample(page, "segstream_ingest_stream_drops_total");
        double attempts = sample(page, "segstream_ingest_reconnect_attempts_total")
                - sample(early, "segstream_ingest_reconnect_attempts_total");
        double frames = sample(page, "segstream_ingest_frames_total");
        assertEquals(0, up, page);
        assertEquals(2, drops, page);
        assertEquals(2 * FRAMES_PER_ROUND, frames, page);
        assertTrue(down >= 4, "down for " + down + " s:\n" + page);
        // 4 s of attempts 0.2, 0.4, 0.8 s apart at first, then 1 s apart: 2 at the least, 7 at the most
        assertTrue(attempts >= 2 && attempts <= 7, attempts + " attempts in 4 s:\n" + early + "\n" + page);
        var ready = scrape(out, "/readyz");
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().startsWith("not ready: camera 'live-cam': stream away for"), ready.body());
        System.out.printf(java.util.Locale.ROOT, "stream drop: while away, metrics say up %.0f, down %.1f s, %.0f drops, "
                + "%.0f reconnect attempts in the last 4 s, %.0f frames%n", up, down, drops, attempts, frames);
    }

    /** GET {@code path} from the endpoint that ingest's output names. */
    private static java.net.http.HttpResponse<String> scrape(String out, String path) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("metrics on (http://\\S+)/metrics").matcher(out);
        assertTrue(m.find(), out);
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(m.group(1) + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** The value of {@code name}{camera="live-cam"} on a Prometheus page. */
    private static double sample(String page, String name) {
        String prefix = name + "{camera=\"live-cam\"} ";
        return page.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(
                l.substring(prefix.length()).trim())).findFirst().orElseThrow(() -> new AssertionError(name
                        + " not on the page:\n" + page));
    }

    /** Serves the clip from frame {@code skip} on, 10 frames/s, to the first client; returns after the last. */
    private static void serve(String url, int skip) throws Exception {
        try (FFmpegFrameGrabber clip = new FFmpegFrameGrabber(SharedData.path(Assets.VTEST).toString())) {
            clip.start();
            for (int i = 0; i < skip; i++) {
                clip.grabImage();
            }
            try (FFmpegFrameRecorder live = new FFmpegFrameRecorder(url, clip.getImageWidth(), clip.getImageHeight(),
                    0)) {
                live.setFormat("mpegts");
                live.setVideoCodec(avcodec.AV_CODEC_ID_MPEG2VIDEO);
                live.setFrameRate(10);
                live.setGopSize(10);
                live.setVideoBitrate(2_000_000);
                live.setOption("listen", "1"); // FFmpeg's HTTP server: start() waits for the client
                live.start();
                for (int i = 0; i < FRAMES_PER_ROUND; i++) {
                    live.record(clip.grabImage());
                    Thread.sleep(100);
                }
            }
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}
