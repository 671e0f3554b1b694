package io.mipo.operator.standalone;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * A watch over WebSocket (the fabric8 client's, so the operator's informers): when it opens, every
 * object its selector matches, as ADDED (found through the store's indexes, so it costs what it
 * sends), or, from a resourceVersion, the changes since (see {@link ObjectStore#open}); then every
 * change, as kube-apiserver reports it: ADDED when an object starts matching,
 * MODIFIED while it matches, DELETED when it is deleted or stops matching. Events are sent in the
 * order of the changes: the store notifies under its write lock, and a watch opens under its read lock.
 */
final class StoreWatch extends WebSocketListener {
    private final ObjectStore store;
    private final AttributeSet selector;
    private final String path;
    private volatile WebSocket socket;

    StoreWatch(ObjectStore store, AttributeSet selector, String path) {
        this.store = store;
        this.selector = selector;
        this.path = path;
    }

    AttributeSet selector() {
        return selector;
    }

    String path() {
        return path;
    }

    /** The resourceVersion the client watches from; 0 when it gave none (or "0": start with the current state). */
    long resourceVersion() {
        try {
            return Math.max(0, Long.parseLong(ApiDispatcher.queryOf(path).getOrDefault("resourceVersion", "0")));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The changes since the client's resourceVersion are no longer kept: one ERROR event with 410, then the end of the watch. */
    void expired(String message) {
        WebSocket s = socket;
        if (s != null) {
            s.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                    + "\"message\":\"" + message + "\",\"reason\":\"Expired\",\"code\":410}}");
            s.close(1000, "");
        }
    }

    boolean matches(AttributeSet key) {
        return key != null && key.matches(selector);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        socket = webSocket;
        store.open(this);
    }

    /** One event; the object is the stored JSON, not parsed again. */
    void send(String type, String json) {
        WebSocket s = socket;
        if (s != null && json != null) {
            s.send("{\"type\":\"" + type + "\",\"object\":" + json + "}");
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        store.close(this);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
        store.close(this);
        webSocket.close(1000, error == null ? "" : String.valueOf(error.getMessage()));
    }
}
