package io.segstream.view;

import io.segstream.codec.CodecException;
import io.segstream.config.SegstreamConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code segstream view}: follows the frames, masks and dead-letter topics and serves a page that
 * shows every camera live. Pictures go to browsers over a WebSocket as JPEG frames with the label
 * RLE beside them, so the page draws the overlay (class filter, opacity) itself; each browser has
 * one message in flight and newer pictures replace waiting ones, which keeps latency low and memory
 * bounded for a slow browser. One render thread turns masks into tiles at most {@code view.max.fps}
 * per camera; a second sends the figures every second.
 */
public final class LiveView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    private static final long FIGURES_EVERY_MS = 1_000;

    private final SegstreamConfig config;
    private final CameraBoard board;
    private final TopicFollower follower;
    private final FrameFetcher fetcher;
    private final ViewServer server;
    private final ViewServer.Login login;
    private final Thread renderThread;
    private final Thread figuresThread;
    private volatile boolean closed;
    private int port;

    /**
     * @param consumerSettings Kafka consumer settings (security included), as the other verbs read topics
     */
    public LiveView(SegstreamConfig config, Map<String, Object> consumerSettings) {
        this.config = config;
        this.board = new CameraBoard(config.viewMaxCameras());
        this.follower = new TopicFollower(consumerSettings, config.framesTopic(), config.masksTopic(),
                config.deadLetterTopic(), board);
        this.fetcher = new FrameFetcher(consumerSettings, config.framesTopic());
        this.login = config.viewPassword() == null ? null : new ViewServer.Login(config.viewUser(), config.viewPassword());
        this.server = new ViewServer(config.viewBind(), config.viewPort(), login, this::figuresJson);
        this.renderThread = new Thread(this::renderLoop, "segstream-view-render");
        this.figuresThread = new Thread(this::figuresLoop, "segstream-view-figures");
        renderThread.setDaemon(true);
        figuresThread.setDaemon(true);
    }

    /** Starts following the topics and serving; logs the page's address and who can reach it. */
    public LiveView start() {
        port = server.start();
        follower.start();
        renderThread.start();
        figuresThread.start();
        String bind = config.viewBind();
        String who = login == null ? "no login" : "HTTP basic login as " + login.user();
        if (ViewServer.isLoopback(bind)) {
            LOG.info("view: {} (this machine only, {}; set {}=0.0.0.0 to serve other machines)", url(), who,
                    SegstreamConfig.VIEW_BIND);
        } else if (login == null) {
            LOG.warn("view: {} listening on {} with no login: anyone who can reach this address sees the cameras. "
                    + "Set {} and serve it through a TLS reverse proxy (README, \"Security\")", url(), bind,
                    SegstreamConfig.VIEW_PASSWORD);
        } else {
            LOG.warn("view: {} listening on {}, {}: basic sends the password readable over plain HTTP, so serve it "
                    + "through a TLS reverse proxy (README, \"Security\")", url(), bind, who);
        }
        return this;
    }

    /** The page's address. */
    public String url() {
        String host = config.viewBind();
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            host = "127.0.0.1";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
    }

    private String figuresJson() {
        return FiguresJson.of(board.figures(System.currentTimeMillis()), config.viewStale().toMillis(),
                board.ignoredRecords(), server.browserFigures());
    }

    private void renderLoop() {
        TileRenderer renderer = new TileRenderer();
        Map<String, Long> rendered = new HashMap<>();
        Map<String, Long> renderedAt = new HashMap<>();
        Set<String> undecodable = new HashSet<>();
        long minGapNanos = TimeUnit.SECONDS.toNanos(1) / config.viewMaxFps();
        long seen = 0;
        while (!closed) {
            try {
                seen = board.awaitChange(seen, Math.max(1, minGapNanos / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            List<CameraBoard.Latest> news = board.newerThan(rendered);
            for (CameraBoard.Latest latest : news) {
                long now = System.nanoTime();
                Long last = renderedAt.get(latest.camera());
                if (last != null && now - last < minGapNanos) {
                    continue; // drawn a moment ago: the next pass takes whatever is newest then
                }
                byte[] frame = latest.frame();
                if (frame == null && latest.frameRef() != null) {
                    frame = fetcher.fetch(latest.frameRef());
                }
                rendered.put(latest.camera(), latest.version());
                renderedAt.put(latest.camera(), now);
                try {
                    server.tile(renderer.render(latest.camera(), latest.mask(), frame));
                } catch (CodecException | IllegalArgumentException e) {
                    if (undecodable.add(latest.camera())) {
                        LOG.warn("view: mask {} of camera '{}' does not decode ({}); such masks are not shown",
                                Long.toUnsignedString(latest.mask().getSequence()), latest.camera(), e.getMessage());
                    }
                }
            }
        }
    }

    private void figuresLoop() {
        while (!closed) {
            try {
                Thread.sleep(FIGURES_EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (server.browsers() > 0) {
                server.figures(figuresJson());
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        renderThread.interrupt();
        figuresThread.interrupt();
        try {
            follower.close();
            renderThread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fetcher.close();
        server.close();
    }
}
