package io.segstream.view;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.security.BasicAuthCredentials;
import io.javalin.http.staticfiles.Location;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The view's HTTP side, on Javalin (Jetty): the page from the jar's resources, {@code /ws} for
 * pictures and figures, {@code /api/cameras} for the figures as JSON. Every browser has an
 * {@link Outbox}; a browser that connects gets every camera's latest tile at once.
 */
final class ViewServer implements AutoCloseable {
    static final String FIGURES_KEY = "\0figures";

    private final Map<Session, Outbox> clients = new ConcurrentHashMap<>();
    private final Map<String, TileRenderer.Tile> latest = new ConcurrentHashMap<>();
    private final Supplier<String> figures;
    private final Javalin app;

    /**
     * @param login the user and password every request must bring (HTTP basic), or null for none
     */
    ViewServer(String bind, int port, Login login, Supplier<String> figures) {
        this.figures = figures;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = bind;
            config.jetty.port = port;
            if (login != null) {
                config.routes.before(login::check); // the page, its scripts and /api
                config.routes.wsBeforeUpgrade(login::check); // and the WebSocket, before it opens
            }
            config.staticFiles.add("/io/segstream/view/web", Location.CLASSPATH);
            config.routes.get("/api/cameras", ctx -> ctx.contentType("application/json").result(figures.get()));
            config.routes.ws("/ws", ws -> {
                ws.onConnect(ctx -> {
                    Outbox box = new Outbox(ctx.session);
                    clients.put(ctx.session, box);
                    box.offer(FIGURES_KEY, figures.get());
                    latest.values().forEach(tile -> box.offer(tile.camera(), tile.forSend()));
                });
                ws.onClose(ctx -> clients.remove(ctx.session));
                ws.onError(ctx -> clients.remove(ctx.session));
            });
        });
    }

    /** Starts listening; the port it got. */
    int start() {
        app.start();
        return app.port();
    }

    /** A camera's new picture, to every browser. */
    void tile(TileRenderer.Tile tile) {
        latest.put(tile.camera(), tile);
        for (Outbox box : clients.values()) {
            box.offer(tile.camera(), tile.forSend());
        }
    }

    /** The figures, to every browser. */
    void figures(String json) {
        for (Outbox box : clients.values()) {
            box.offer(FIGURES_KEY, json);
        }
    }

    int browsers() {
        return clients.size();
    }

    /** Each connected browser's messages: sent, waiting, replaced before they were sent. */
    java.util.List<Outbox.Figures> browserFigures() {
        return clients.values().stream().map(Outbox::figures).toList();
    }

    /** HTTP basic credentials, compared in constant time. */
    record Login(String user, String password) {
        Login {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("the view's password must not be empty");
            }
        }

        void check(Context ctx) {
            BasicAuthCredentials given = ctx.basicAuthCredentials();
            if (given == null || !(same(given.getUsername(), user) & same(given.getPassword(), password))) {
                ctx.header("WWW-Authenticate", "Basic realm=\"segstream view\", charset=\"UTF-8\"");
                throw new UnauthorizedResponse();
            }
        }

        private static boolean same(String a, String b) {
            return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=[hidden]]";
        }
    }

    static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
