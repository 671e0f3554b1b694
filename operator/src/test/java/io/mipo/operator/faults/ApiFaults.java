package io.mipo.operator.faults;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A seeded fault injector in front of the mock API server's dispatcher (the fabric8 CRUD dispatcher,
 * with recorded expectations first). It plays an API server under stress towards the operator:
 * <ul>
 * <li><b>write faults</b>: a share of the Scanner status writes (PUT/PATCH {@code .../scanners/x/status})
 *     and Secret writes (POST/PUT/PATCH/DELETE {@code .../secrets}) answers 409 Conflict (a Status,
 *     nothing written; updates only, as a real server answers a stale resourceVersion), 500 (nothing
 *     written), or is written and then answered only after the client's request timeout (the client
 *     cannot tell whether it happened). A third of the share each, the 409 third being 500s for
 *     creates and deletes;</li>
 * <li><b>watch faults</b>: an open watch is closed (its resume is then answered with a 410 Gone
 *     ERROR event, as a real API server does once the resourceVersion has been compacted away, so the
 *     informer lists again), or told 410 Gone while open.</li>
 * </ul>
 * Whether a write is faulted is a function of the seed, the request line and how many times that
 * request line was seen before, so a seed replays the same faults on the same writes (the k-th status
 * write of scanner x always meets the same fate), however the threads interleave. Requests sent with
 * the user agent {@link #EXEMPT_AGENT} (the test's own client, playing kubectl) are never faulted.
 */
public final class ApiFaults extends Dispatcher implements Resetable, CustomResourceAware {
    public static final String EXEMPT_AGENT = "mipo-fault-test";
    static final Pattern STATUS_WRITE = Pattern.compile("^/apis/mipo\\.io/[^/]+/namespaces/[^/]+/scanners/[^/?]+/status(\\?.*)?$");
    static final Pattern SECRET_WRITE = Pattern.compile("^/api/v1/namespaces/[^/]+/secrets(/[^/?]+)?(\\?.*)?$");

    /** What was done to a request. */
    public enum Fault { NONE, CONFLICT, SERVER_ERROR, TIMEOUT }

    /** One write the operator sent: when, what, and what the injector did with it. */
    public record Write(long atMillis, String method, String path, Fault fault, int delegateCode) {
        public boolean status() {
            return STATUS_WRITE.matcher(path).matches();
        }

        /** The API server changed something: answered 2xx, or applied before a timeout. */
        public boolean applied() {
            return (fault == Fault.NONE || fault == Fault.TIMEOUT) && delegateCode >= 200 && delegateCode < 300;
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + (fault == Fault.NONE ? String.valueOf(delegateCode) : fault + "(" + delegateCode + ")");
        }
    }

    private final Dispatcher delegate;
    private final long seed;
    private final Duration timeoutDelay;
    private volatile double writeShare;
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final Map<Fault, AtomicInteger> counts = new ConcurrentHashMap<>(new EnumMap<>(Map.of(
            Fault.NONE, new AtomicInteger(), Fault.CONFLICT, new AtomicInteger(),
            Fault.SERVER_ERROR, new AtomicInteger(), Fault.TIMEOUT, new AtomicInteger())));

    /** Open watches, by the path they watch (without the query's resourceVersion). */
    private final Map<Long, OpenWatch> watches = new ConcurrentHashMap<>();
    private final AtomicInteger watchIds = new AtomicInteger();
    /** Per watched path: how many resumes are still to be answered 410 Gone. */
    private final Map<String, AtomicInteger> expireNext = new ConcurrentHashMap<>();
    private final AtomicInteger watchesDropped = new AtomicInteger();
    private final AtomicInteger watchesExpired = new AtomicInteger();
    private final AtomicInteger resumesGone = new AtomicInteger();
    private final AtomicInteger watchesOpened = new AtomicInteger();

    public ApiFaults(Dispatcher delegate, long seed, Duration timeoutDelay) {
        this.delegate = delegate;
        this.seed = seed;
        this.timeoutDelay = timeoutDelay;
    }

    public long seed() {
        return seed;
    }

    /** The share (0..1) of faultable writes that get a fault; 0 turns write faults off. */
    public void writeFaults(double share) {
        this.writeShare = share;
    }

    public List<Write> writes() {
        return List.copyOf(writes);
    }

    public int count(Fault f) {
        return counts.get(f).get();
    }

    public String summary() {
        return "write faults " + counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))
                + "; watches opened=" + watchesOpened + ", dropped=" + watchesDropped + ", expired=" + watchesExpired
                + ", resumes answered 410=" + resumesGone;
    }

    public int watchesDropped() {
        return watchesDropped.get();
    }

    public int watchesExpired() {
        return watchesExpired.get();
    }

    public int resumesGone() {
        return resumesGone.get();
    }

    // ---- dispatch ----

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath();
        boolean exempt = EXEMPT_AGENT.equals(request.getHeader("User-Agent"));
        if ("GET".equals(method) && path.contains("watch=true")) {
            return watch(request, path, exempt);
        }
        if ("GET".equals(method) && reads.size() < 10_000) {
            reads.add(path);
        }
        boolean faultable = !exempt && (isStatusWrite(method, path) || isSecretWrite(method, path));
        if (!faultable) {
            return delegate.dispatch(request);
        }
        Fault fault = decide(method, path);
        counts.get(fault).incrementAndGet();
        long now = System.currentTimeMillis();
        switch (fault) {
            case CONFLICT -> {
                writes.add(new Write(now, method, path, fault, 409));
                return status(409, "Conflict", "Operation cannot be fulfilled: the object has been modified (injected fault, seed " + seed + ")");
            }
            case SERVER_ERROR -> {
                writes.add(new Write(now, method, path, fault, 500));
                return status(500, "InternalError", "Internal error occurred: etcdserver: request timed out (injected fault, seed " + seed + ")");
            }
            case TIMEOUT -> {
                MockResponse r = delegate.dispatch(request);
                writes.add(new Write(now, method, path, fault, r.code()));
                if (r.getBody() == null || r.getBody().size() == 0) {
                    r.setBody(Serialization.asJson(new StatusBuilder().withStatus("Success").build()));
                }
                return r.setBodyDelay(timeoutDelay);
            }
            default -> {
                MockResponse r = delegate.dispatch(request);
                writes.add(new Write(now, method, path, fault, r.code()));
                return r;
            }
        }
    }

    static boolean isStatusWrite(String method, String path) {
        return ("PUT".equals(method) || "PATCH".equals(method)) && STATUS_WRITE.matcher(path).matches();
    }

    static boolean isSecretWrite(String method, String path) {
        return ("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method) || "DELETE".equals(method))
                && SECRET_WRITE.matcher(path).matches();
    }

    /** Seeded and keyed by the request line and its occurrence, so a seed replays the same faults on the same writes. */
    private Fault decide(String method, String path) {
        String line = method + " " + stripQuery(path);
        int n = seen.computeIfAbsent(line, k -> new AtomicInteger()).getAndIncrement();
        double share = writeShare;
        if (share <= 0) {
            return Fault.NONE;
        }
        Random r = new Random(seed ^ (31L * line.hashCode() + n) * 0x9E3779B97F4A7C15L);
        double x = r.nextDouble();
        if (x >= share) {
            return Fault.NONE;
        }
        double third = share / 3;
        if (x < third) {
            // 409 only where a real API server answers it to such a request: an update whose
            // resourceVersion is stale. (A create answered 409 means "it exists", a plain delete never conflicts.)
            return "PUT".equals(method) || "PATCH".equals(method) ? Fault.CONFLICT : Fault.SERVER_ERROR;
        }
        return x < 2 * third ? Fault.SERVER_ERROR : Fault.TIMEOUT;
    }

    private static MockResponse status(int code, String reason, String message) {
        Status s = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message).build();
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(s));
    }

    static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    // ---- watches ----

    /** What a watch watches: the path and its selectors, not the resourceVersion it resumes from. */
    static String watchKey(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return path;
        }
        String kept = java.util.Arrays.stream(path.substring(q + 1).split("&"))
                .filter(p -> p.startsWith("labelSelector=") || p.startsWith("fieldSelector="))
                .sorted().collect(Collectors.joining("&"));
        return path.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept);
    }

    private MockResponse watch(RecordedRequest request, String path, boolean exempt) {
        String key = watchKey(path);
        AtomicInteger owed = expireNext.get(key);
        if (!exempt && path.contains("resourceVersion=") && owed != null && owed.getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
            // The resumed watch asks for a resourceVersion this server no longer has.
            resumesGone.incrementAndGet();
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws, Response response) {
                    ws.send(goneEvent());
                    ws.close(1000, "resourceVersion too old");
                }
            });
        }
        MockResponse r = delegate.dispatch(request);
        if (exempt || r.getWebSocketListener() == null) {
            return r;
        }
        long id = watchIds.incrementAndGet();
        OpenWatch w = new OpenWatch(id, key, r.getWebSocketListener());
        watchesOpened.incrementAndGet();
        return r.withWebSocketUpgrade(w);
    }

    /** The keys of the watches open now, in a stable order (for a seeded choice). */
    /** The paths of the GET requests (lists and gets, not watches) so far: the first 10,000. */
    public List<String> reads() {
        return List.copyOf(reads);
    }

    private final java.util.Queue<String> reads = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public List<String> openWatches() {
        return watches.values().stream().sorted(Comparator.comparingLong(OpenWatch::id)).map(OpenWatch::key).toList();
    }

    /**
     * Faults one open watch chosen by {@code random}: closes it (its resume then meets 410 Gone) or,
     * when {@code expire}, sends it a 410 Gone ERROR event. Returns what was done, or null when none is open.
     */
    public String faultOneWatch(Random random, boolean expire) {
        List<OpenWatch> open = new ArrayList<>(watches.values());
        open.sort(Comparator.comparing(OpenWatch::key).thenComparingLong(OpenWatch::id));
        open.removeIf(w -> w.socket == null);
        if (open.isEmpty()) {
            return null;
        }
        OpenWatch w = open.get(random.nextInt(open.size()));
        watches.remove(w.id);
        if (expire) {
            watchesExpired.incrementAndGet();
            w.socket.send(goneEvent());
            w.socket.close(1000, "resourceVersion too old");
            return "expired " + w.key;
        }
        watchesDropped.incrementAndGet();
        expireNext.computeIfAbsent(w.key, k -> new AtomicInteger()).incrementAndGet();
        w.socket.close(1001, "dropped (injected fault)");
        return "dropped " + w.key;
    }

    private static String goneEvent() {
        Status gone = new StatusBuilder().withStatus("Failure").withCode(410).withReason("Expired")
                .withMessage("too old resource version (injected fault)").build();
        return Serialization.asJson(new WatchEvent(gone, "ERROR"));
    }

    /** Passes everything to the CRUD dispatcher's watch listener, and keeps the socket so that it can be closed. */
    private final class OpenWatch extends WebSocketListener {
        private final long id;
        private final String key;
        private final WebSocketListener inner;
        volatile WebSocket socket;

        OpenWatch(long id, String key, WebSocketListener inner) {
            this.id = id;
            this.key = key;
            this.inner = inner;
        }

        long id() {
            return id;
        }

        String key() {
            return key;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            inner.onBeforeAccept(webSocket, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            socket = webSocket;
            watches.put(id, this);
            inner.onOpen(webSocket, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            inner.onMessage(webSocket, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            inner.onMessage(webSocket, bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            inner.onClosing(webSocket, code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            watches.remove(id);
            inner.onClosed(webSocket, code, reason);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable error, Response response) {
            watches.remove(id);
            inner.onFailure(webSocket, error, response);
        }
    }

    // ---- the rest is the delegate's ----

    @Override
    public void reset() {
        if (delegate instanceof Resetable r) {
            r.reset();
        }
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext rdc) {
        if (delegate instanceof CustomResourceAware c) {
            c.expectCustomResource(rdc);
        }
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    /** The writes whose path contains {@code part}, for failure messages. */
    public String writesTo(String part) {
        return writes.stream().filter(w -> w.path().contains(part)).map(Write::toString).collect(Collectors.joining("; "));
    }

    /** Counts by fault, for messages. */
    public Map<String, Integer> countsByFault() {
        Map<String, Integer> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k.name(), v.get()));
        return out;
    }
}
