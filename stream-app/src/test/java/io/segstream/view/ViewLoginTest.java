package io.segstream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The view's login (view.password): its real Jetty server refuses the page, the API and the
 * WebSocket upgrade without the right HTTP basic credentials, and serves them with.
 */
class ViewLoginTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void thePageTheApiAndTheWebSocketNeedTheViewsCredentials() throws Exception {
        try (ViewServer server = new ViewServer("127.0.0.1", 0, new ViewServer.Login("viewer", "s3cret pass"),
                () -> "{\"type\":\"figures\"}")) {
            String base = "http://127.0.0.1:" + server.start();
            String good = basic("viewer", "s3cret pass");
            for (String path : new String[] {"/", "/view.js", "/api/cameras"}) {
                HttpResponse<String> none = get(base + path, null);
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="), path);
                assertEquals(401, get(base + path, basic("viewer", "wrong")).statusCode(), path);
                assertEquals(401, get(base + path, basic("admin", "s3cret pass")).statusCode(), path);
                assertEquals(200, get(base + path, good).statusCode(), path);
            }
            assertEquals("{\"type\":\"figures\"}", get(base + "/api/cameras", good).body());

            URI ws = URI.create("ws://127.0.0.1:" + base.substring(base.lastIndexOf(':') + 1) + "/ws");
            CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> HTTP.newWebSocketBuilder().buildAsync(ws, new WebSocket.Listener() { }).join());
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
            assertEquals(401, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
            WebSocket open = HTTP.newWebSocketBuilder().header("Authorization", good)
                    .buildAsync(ws, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            open.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anEmptyPasswordIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ViewServer.Login("viewer", ""));
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
