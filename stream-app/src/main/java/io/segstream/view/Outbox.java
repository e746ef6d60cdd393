package io.segstream.view;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * What one browser is sent: at most one message in flight, and while it is, only the newest
 * waiting message per key (a camera's tile, the figures). A newer tile replaces one not sent yet,
 * so a slow browser sees fewer pictures, never older ones, and the view holds at most one message
 * per camera for it, however slowly it reads.
 */
final class Outbox {
    private final Session session;
    private final LinkedHashMap<String, Object> waiting = new LinkedHashMap<>();
    private boolean inFlight;
    private long sent;
    private long replaced;

    Outbox(Session session) {
        this.session = session;
    }

    /** Sends {@code message} (a ByteBuffer or a String) now, or after the message in flight, replacing any older one under {@code key}. */
    synchronized void offer(String key, Object message) {
        if (!session.isOpen()) {
            return;
        }
        if (inFlight) {
            if (waiting.remove(key) != null) {
                replaced++;
            }
            waiting.put(key, message); // to the back: cameras take turns
            return;
        }
        send(message);
    }

    /** Messages sent, waiting now, and replaced by newer ones before they could be sent. */
    record Figures(long sent, int waiting, long replaced) {}

    synchronized Figures figures() {
        return new Figures(sent, waiting.size(), replaced);
    }

    private void send(Object message) {
        inFlight = true;
        Callback done = Callback.from(this::sentOne, failure -> closed());
        if (message instanceof ByteBuffer bytes) {
            session.sendBinary(bytes, done);
        } else {
            session.sendText((String) message, done);
        }
    }

    private synchronized void sentOne() {
        sent++;
        inFlight = false;
        Iterator<Map.Entry<String, Object>> next = waiting.entrySet().iterator();
        if (next.hasNext() && session.isOpen()) {
            Object message = next.next().getValue();
            next.remove();
            send(message);
        }
    }

    private synchronized void closed() {
        inFlight = false;
        waiting.clear();
    }
}
