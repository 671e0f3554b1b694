package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The fabric8 mock server's CRUD store with what a long-running API server needs on top:
 * <ul>
 * <li>indexed lookups ({@link ObjectIndex}): a get, create, update, patch or delete finds its object
 * by resource, namespace and name, a list with a label selector by label, garbage collection by owner
 * uid, so a request costs the same with 100 objects stored as with 300,000 (the mock scans every
 * object on every request), and the watches over WebSocket ({@link StoreWatch}) start from the indexes
 * too;</li>
 * <li>every write is serialised with snapshots, so a snapshot never sees an object half-moved
 * (the store re-keys an object on update with a remove and a put);</li>
 * <li>a listener hears of every change (persistence);</li>
 * <li>snapshot and restore that keep uid, resourceVersion, generation, creationTimestamp,
 * finalizers and deletionTimestamp, and a resourceVersion counter that continues above them;</li>
 * <li>JSON merge patches with RFC 7386 semantics, applied atomically;</li>
 * <li>what kube-apiserver does on create and the mock does not: random uids (the mock counts from 1
 * in every process, which would repeat the uids of restored objects), {@code generateName} suffixes,
 * Secret {@code stringData} folded into {@code data};</li>
 * <li>a bounded history of changes, so plain HTTP watches (kubectl's) can be answered from a
 * resourceVersion;</li>
 * <li>background garbage collection as Kubernetes does it: an object whose owners are all gone is
 * deleted, and so is everything in a deleted namespace.</li>
 * </ul>
 */
final class ObjectStore extends KubernetesCrudDispatcher {
    /** One stored object: the resource (plural) it was stored under and its JSON. */
    record StoredObject(String resource, String json) {
    }

    /** Everything the store holds, plus the resourceVersion counter. */
    record Snapshot(long resourceVersion, List<StoredObject> objects) {
    }

    /** A change, as a watch reports it. */
    record Change(long resourceVersion, String type, String json, AttributeSet key) {
    }

    static final int HISTORY_LIMIT = 2000;
    private static final String NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Object writes = new Object();
    /** Guards {@link #index} and the mock's map together: readers see no object half-moved. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final ObjectIndex index = new ObjectIndex();
    private final Set<StoreWatch> watches = ConcurrentHashMap.newKeySet();
    private final ListPages pages = new ListPages();
    private volatile long lastResourceVersion;
    private volatile Runnable onChange = () -> {
    };
    // the fields below are written only while holding "writes"
    private boolean changed;
    private boolean creating;
    private String created;
    private String lastRemoved;
    private final Set<String> removedUids = new HashSet<>();
    private final Set<String> removedNamespaces = new HashSet<>();
    private final Deque<Change> history = new ArrayDeque<>();
    private long oldestServable;

    void onChange(Runnable listener) {
        this.onChange = Objects.requireNonNull(listener);
    }

    /** Written only while holding "writes": every change is logged and forced to disk before it is answered. */
    private volatile WriteAheadLog wal;

    void writeAheadLog(WriteAheadLog log) {
        synchronized (writes) {
            this.wal = log;
        }
    }

    /** A snapshot for the background save, and the log up to it sealed (compaction, see {@link WriteAheadLog}). */
    Snapshot snapshotSealingLog() throws java.io.IOException {
        synchronized (writes) {
            Snapshot s = snapshot();
            if (wal != null) {
                wal.seal();
            }
            return s;
        }
    }

    private volatile String logError;

    /** Why the last append to the log failed; null when the last one worked. */
    String logError() {
        return logError;
    }

    /** Bytes appended to the log since it was last sealed (0 without a log). */
    long logBytes() {
        WriteAheadLog log = wal;
        return log == null ? 0 : log.appendedBytes();
    }

    /** The snapshot taken by {@link #snapshotSealingLog} is on disk. */
    void sealedLogSaved() throws java.io.IOException {
        WriteAheadLog log;
        synchronized (writes) {
            log = wal;
        }
        if (log != null) {
            log.dropSealed();
        }
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        RecordedRequest prepared = withBody(request, prepareCreate(body(request)));
        return write(() -> {
            creating = true;
            created = null;
            try {
                MockResponse response = super.handleCreate(prepared);
                if (response.code() == 201 && created != null) {
                    response.setBody(created);
                }
                return response;
            } finally {
                creating = false;
            }
        });
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        RecordedRequest prepared = withBody(request, foldStringData(body(request)));
        return write(() -> super.handleUpdate(prepared));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return write(() -> super.handlePatch(request));
    }

    @Override
    public MockResponse handleDelete(String path) {
        return write(() -> deleteMatching(path));
    }

    @Override
    public long requestResourceVersion() {
        long v = super.requestResourceVersion();
        lastResourceVersion = v;
        return v;
    }

    /**
     * A get or a list, answered from the indexes (the mock would scan every object). A list comes in
     * kube-apiserver's order (by namespace, then name) and, with {@code limit}, in pages ({@link ListPages}).
     */
    @Override
    public MockResponse handleGet(String path) {
        if (isWatch(path)) {
            return handleWatch(path);
        }
        AttributeSet query = getKey(path);
        if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
            List<String> items = matching(query, path, null);
            return items.isEmpty() ? new MockResponse().setResponseCode(404)
                    : new MockResponse().setResponseCode(200).setBody(items.get(0));
        }
        Map<String, String> params = ApiDispatcher.queryOf(path);
        long limit;
        try {
            limit = Long.parseLong(params.getOrDefault("limit", "0"));
        } catch (NumberFormatException e) {
            return ApiDispatcher.status(400, "BadRequest", "limit must be a number, not " + params.get("limit"), null);
        }
        String request = listIdentity(path);
        ListPages.Page page;
        String token = params.get("continue");
        if (token != null && !token.isEmpty()) {
            try {
                page = pages.next(request, token, limit);
            } catch (ListPages.Expired e) {
                return ApiDispatcher.status(410, "Expired", e.getMessage(), null);
            } catch (ListPages.Mismatch e) {
                return ApiDispatcher.status(400, "BadRequest", e.getMessage(), null);
            }
        } else {
            List<Sorted> items = new ArrayList<>();
            long version;
            Lock read = lock.readLock();
            read.lock();
            try {
                forEachMatching(query, path, (e, json) ->
                        items.add(new Sorted(e.namespace, e.name, json)));
                version = lastResourceVersion; // no write can come between the items and their version
            } finally {
                read.unlock();
            }
            items.sort(IN_LIST_ORDER);
            page = pages.first(request, items.stream().map(Sorted::json).toList(), version, limit);
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(list(page.items(), page.version(), page.next(), page.remaining()));
    }

    /** A listed object with what orders it. */
    private record Sorted(String namespace, String name, String json) {
    }

    private static final Comparator<Sorted> IN_LIST_ORDER = Comparator.comparing(Sorted::namespace).thenComparing(Sorted::name);

    /** The list a request asks for, without what only pages or versions it: continue tokens must come back with the same. */
    private static String listIdentity(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.substring(0, q));
        List<String> kept = new ArrayList<>();
        for (String pair : path.substring(q + 1).split("&")) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (!PAGING_PARAMETERS.contains(name) && !pair.isEmpty()) {
                kept.add(pair);
            }
        }
        kept.sort(null);
        return b.append('?').append(String.join("&", kept)).toString();
    }

    private static final Set<String> PAGING_PARAMETERS = Set.of("limit", "continue", "resourceVersion", "resourceVersionMatch",
            "timeoutSeconds", "allowWatchBookmarks", "sendInitialEvents");

    /** A watch over WebSocket, served by {@link StoreWatch}. */
    @Override
    public MockResponse handleWatch(String path) {
        return new MockResponse().withWebSocketUpgrade(new StoreWatch(this, getKey(path), path));
    }

    /**
     * A watch opened. Without a resourceVersion (or with "0"): what it matches now, as ADDED. From a
     * resourceVersion (an informer's, after its list): the changes since then, from the last
     * {@link #HISTORY_LIMIT} changes, or, when they reach back no further, an ERROR event with 410
     * Expired (the client lists again), as kube-apiserver does. Then every change; no write can come
     * in between (writers hold {@code writes} for the whole change).
     */
    void open(StoreWatch watch) {
        long since = watch.resourceVersion();
        synchronized (writes) {
            Lock read = lock.readLock();
            read.lock();
            try {
                if (since > 0) {
                    List<Change> changes = changesSince(since, watch.path());
                    if (changes == null) {
                        watch.expired("too old resource version: " + since + " (" + requestResourceVersion() + ")");
                        return;
                    }
                    changes.forEach(c -> watch.send(c.type(), c.json()));
                } else {
                    index.candidates(watch.selector(), watch.path(), e -> {
                        if (watch.matches(e.key)) {
                            watch.send("ADDED", e.json);
                        }
                    });
                }
                watches.add(watch);
            } finally {
                read.unlock();
            }
        }
    }

    void close(StoreWatch watch) {
        watches.remove(watch);
    }

    int openWatches() {
        return watches.size();
    }

    private static boolean isWatch(String path) {
        int q = path.indexOf('?');
        return q >= 0 && path.indexOf("watch=true", q) > 0;
    }

    private static String list(List<String> items, long version, String next, long remaining) {
        StringBuilder b = new StringBuilder(64 + items.stream().mapToInt(String::length).sum() + items.size());
        b.append("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(items.get(i));
        }
        b.append("],\"metadata\":{\"resourceVersion\":\"").append(version).append("\",\"selfLink\":\"\"");
        if (next != null) {
            // token characters are base64url: nothing to escape
            b.append(",\"continue\":\"").append(next).append("\",\"remainingItemCount\":").append(remaining);
        }
        return b.append("}}").toString();
    }

    /** The JSON of every object {@code query} matches (and their keys into {@code keys}, when given). */
    private List<String> matching(AttributeSet query, String path, List<AttributeSet> keys) {
        List<String> items = new ArrayList<>();
        forEachMatching(query, path, (e, json) -> {
            items.add(json);
            if (keys != null) {
                keys.add(e.key);
            }
        });
        return items;
    }

    /** Every stored object {@code query} matches, with its JSON, under the read lock (reentrant: callers may hold it). */
    private void forEachMatching(AttributeSet query, String path, java.util.function.BiConsumer<ObjectIndex.Entry, String> sink) {
        Lock read = lock.readLock();
        read.lock();
        try {
            index.candidates(query, path, e -> {
                if (e.key.matches(query)) {
                    sink.accept(e, e.json);
                }
            });
        } finally {
            read.unlock();
        }
    }

    /** The create, update and patch handlers of the mock find the object they change here. */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        List<AttributeSet> keys = new ArrayList<>(1);
        List<String> items = matching(attributes, "", keys);
        return items.isEmpty() ? null : new AbstractMap.SimpleImmutableEntry<>(keys.get(0), items.get(0));
    }

    /**
     * A delete as kube-apiserver does it: an object with finalizers is only marked (deletionTimestamp,
     * once), one without is removed. Answers with the object(s) as they were before.
     */
    private MockResponse deleteMatching(String path) {
        AttributeSet query = getKey(path);
        List<AttributeSet> keys = new ArrayList<>();
        List<String> items = matching(query, path, keys);
        for (AttributeSet key : keys) {
            markOrRemove(path, query, key);
        }
        if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
            return items.isEmpty() ? new MockResponse().setResponseCode(404)
                    : new MockResponse().setResponseCode(200).setBody(items.get(0));
        }
        return new MockResponse().setResponseCode(200).setBody(list(items, lastResourceVersion, null, 0));
    }

    private void markOrRemove(String path, AttributeSet pathAttributes, AttributeSet key) {
        String json = map.get(key);
        if (json == null) {
            return;
        }
        ObjectNode object = (ObjectNode) Json.read(json);
        JsonNode finalizers = object.path("metadata").path("finalizers");
        if (!finalizers.isArray() || finalizers.isEmpty()) {
            processEvent(path, pathAttributes, key, null, null);
            return;
        }
        JsonNode deletion = object.path("metadata").path("deletionTimestamp");
        if (!deletion.isMissingNode() && !deletion.isNull()) {
            return; // marked already; the last finalizer's removal deletes it
        }
        ObjectNode meta = object.with("metadata");
        meta.put("deletionTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.put("resourceVersion", String.valueOf(requestResourceVersion()));
        processEvent(path, pathAttributes, key, null, Json.write(object));
    }

    /**
     * A JSON merge patch: read, merge (RFC 7386), write back as an update, all under the write lock,
     * so no other write can slip in between. A resourceVersion in the patch is a precondition.
     */
    MockResponse mergePatch(RecordedRequest request, JsonNode patch) {
        return write(() -> {
            MockResponse current = handleGet(pathOf(request.getPath()));
            if (current.code() != 200) {
                return current;
            }
            JsonNode merged = foldStringData(MergePatch.apply(Json.read(current.getBody().readUtf8()), patch));
            RecordedRequest put = new RecordedRequest(request.getHttpVersion(), HttpMethod.PUT, request.getPath(),
                    Headers.builder().add("Content-Type", "application/json").build(),
                    new Buffer(Json.write(merged).getBytes(StandardCharsets.UTF_8)));
            return super.handleUpdate(put);
        });
    }

    private static String pathOf(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static JsonNode body(RecordedRequest request) {
        byte[] bytes = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        if (bytes.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            return null; // the handler reports unreadable bodies
        }
    }

    private static RecordedRequest withBody(RecordedRequest request, JsonNode body) {
        if (body == null) {
            return request;
        }
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                new Buffer(Json.write(body).getBytes(StandardCharsets.UTF_8)));
    }

    /** A name from {@code generateName} with kube-apiserver's 5-character random suffix. */
    private static JsonNode prepareCreate(JsonNode body) {
        if (body == null || !body.isObject()) {
            return body;
        }
        JsonNode meta = body.path("metadata");
        if (meta.isObject() && meta.path("name").asText("").isEmpty() && !meta.path("generateName").asText("").isEmpty()) {
            StringBuilder name = new StringBuilder(meta.path("generateName").asText());
            for (int i = 0; i < 5; i++) {
                name.append(NAME_SUFFIX_ALPHABET.charAt(RANDOM.nextInt(NAME_SUFFIX_ALPHABET.length())));
            }
            ((ObjectNode) meta).put("name", name.toString());
        }
        return foldStringData(body);
    }

    /** kube-apiserver stores a Secret's {@code stringData} base64-encoded in {@code data}, and drops it. */
    static JsonNode foldStringData(JsonNode body) {
        if (body == null || !body.isObject() || !"Secret".equals(body.path("kind").asText())
                || !"v1".equals(body.path("apiVersion").asText()) || !body.path("stringData").isObject()) {
            return body;
        }
        ObjectNode secret = (ObjectNode) body;
        JsonNode stringData = secret.remove("stringData");
        ObjectNode data = secret.path("data").isObject() ? (ObjectNode) secret.get("data") : secret.putObject("data");
        stringData.fields().forEachRemaining(f -> data.put(f.getKey(),
                Base64.getEncoder().encodeToString(f.getValue().asText().getBytes(StandardCharsets.UTF_8))));
        return secret;
    }

    private MockResponse write(Supplier<MockResponse> operation) {
        boolean notify;
        MockResponse response;
        synchronized (writes) {
            changed = false;
            lastRemoved = null;
            Lock write = lock.writeLock();
            write.lock();
            try {
                response = operation.get();
                collectGarbage();
            } finally {
                write.unlock();
            }
            if (lastRemoved != null && response.code() < 300
                    && (response.getBody() == null || response.getBody().size() == 0)) {
                // an update that removed the last finalizer deleted the object; answer with its final state
                response.setBody(lastRemoved);
            }
            if (response.code() == 202) {
                response.setResponseCode(200); // the mock answers patches with 202; kube-apiserver with 200
            }
            notify = changed;
            if (wal != null && changed) {
                try {
                    wal.commit();
                    logError = null;
                } catch (java.io.IOException e) {
                    wal.discard();
                    logError = "cannot append to " + WriteAheadLog.FILE + ": " + e.getMessage();
                    org.jboss.logging.Logger.getLogger(ObjectStore.class).errorf(e,
                            "Cannot write the standalone store's log; the change is kept in memory only");
                    response = new MockResponse().setResponseCode(500).setBody(
                            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"InternalError\",\"code\":500,"
                                    + "\"message\":\"the change could not be written to disk\"}");
                }
            }
        }
        if (notify) {
            onChange.run();
        }
        return response;
    }

    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        String before = oldAttributes == null ? null : map.get(oldAttributes);
        String state = newState;
        JsonNode node = null;
        if (creating && before == null && state != null) {
            // the mock's uids count from 1 in every process; restored objects would share them
            ObjectNode fresh = (ObjectNode) Json.read(state);
            String uid = UUID.randomUUID().toString();
            fresh.with("metadata").put("uid", uid);
            state = Json.write(fresh);
            node = fresh;
            if (resource != null) {
                resource.getMetadata().setUid(uid);
            }
            created = state;
        }
        super.processEvent(path, pathAttributes, oldAttributes, resource, state);
        if (oldAttributes != null) {
            index.remove(oldAttributes);
        }
        AttributeSet key = null;
        if (state != null) {
            key = getAttributeExtractor().fromResource(state);
            if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                key = AttributeSet.merge(pathAttributes, key);
            }
            if (!map.containsKey(key)) {
                key = keyOf(state, key);
            }
            if (node == null) {
                node = Json.read(state);
            }
            index.add(key, node, state);
        }
        if (Objects.equals(before, state)) {
            return;
        }
        changed = true;
        for (StoreWatch w : watches) {
            boolean matchedBefore = w.matches(oldAttributes) && before != null;
            boolean matchesNow = w.matches(key);
            if (matchedBefore && matchesNow) {
                w.send("MODIFIED", state);
            } else if (matchedBefore) {
                w.send("DELETED", before);
            } else if (matchesNow) {
                w.send("ADDED", state);
            }
        }
        if (state == null) {
            JsonNode gone = Json.read(before);
            ObjectNode last = ((ObjectNode) gone).deepCopy();
            last.with("metadata").remove("finalizers");
            lastRemoved = Json.write(last);
            String uid = gone.path("metadata").path("uid").asText("");
            if (!uid.isEmpty()) {
                removedUids.add(uid);
            }
            if ("Namespace".equals(gone.path("kind").asText()) && "v1".equals(gone.path("apiVersion").asText())) {
                removedNamespaces.add(gone.path("metadata").path("name").asText());
            }
            long rv = requestResourceVersion();
            last.with("metadata").put("resourceVersion", String.valueOf(rv));
            remember(new Change(rv, "DELETED", Json.write(last), oldAttributes));
            if (wal != null) {
                wal.delete(attribute(oldAttributes, KubernetesAttributesExtractor.PLURAL), Json.write(last));
            }
        } else {
            long rv = resourceVersionOf(node);
            remember(new Change(rv, before == null ? "ADDED" : "MODIFIED", state, key));
            if (wal != null) {
                wal.put(attribute(key, KubernetesAttributesExtractor.PLURAL), state);
            }
        }
    }

    /**
     * The key the mock filed {@code state} under, when it is not the one computed from the JSON (it
     * computes it from the parsed resource; both give the same for every object seen so far). A scan,
     * logged, so that a difference shows rather than leaving an object the indexes cannot find.
     */
    private AttributeSet keyOf(String state, AttributeSet computed) {
        synchronized (map) {
            for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
                if (e.getValue() == state) {
                    org.jboss.logging.Logger.getLogger(ObjectStore.class).warnf(
                            "Embedded API server: an object is stored under %s, not %s as expected", e.getKey(), computed);
                    return e.getKey();
                }
            }
        }
        return computed;
    }

    private void remember(Change change) {
        history.addLast(change);
        while (history.size() > HISTORY_LIMIT) {
            oldestServable = history.removeFirst().resourceVersion();
        }
    }

    private static long resourceVersionOf(JsonNode object) {
        try {
            return Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The changes after {@code resourceVersion} that {@code query} (a watch path with its selectors)
     * matches, oldest first; null when that version is older than the history kept (410 Gone: the
     * client must list again).
     */
    List<Change> changesSince(long resourceVersion, String query) {
        AttributeSet wanted = getKey(query);
        synchronized (writes) {
            if (resourceVersion < oldestServable) {
                return null;
            }
            List<Change> out = new ArrayList<>();
            for (Change c : history) {
                if (c.resourceVersion() > resourceVersion && c.key().matches(wanted)) {
                    out.add(c);
                }
            }
            return out;
        }
    }

    /** The newest resourceVersion handed out (costs one number, as a list does). */
    long currentResourceVersion() {
        synchronized (writes) {
            return requestResourceVersion();
        }
    }

    /**
     * Deletes what Kubernetes' garbage collector would: dependents whose owners are all gone, and the
     * contents of deleted namespaces; repeated until nothing more goes (owner chains). Deletion
     * honours finalizers like any other delete.
     */
    private void collectGarbage() {
        while (!removedUids.isEmpty() || !removedNamespaces.isEmpty()) {
            Set<String> goneUids = new HashSet<>(removedUids);
            Set<String> goneNamespaces = new HashSet<>(removedNamespaces);
            removedUids.clear();
            removedNamespaces.clear();
            List<ObjectIndex.Entry> doomed = new ArrayList<>();
            for (String uid : goneUids) {
                for (ObjectIndex.Entry dependent : index.dependentsOf(uid)) {
                    if (allOwnersGone(dependent, goneUids)) {
                        doomed.add(dependent);
                    }
                }
            }
            for (String namespace : goneNamespaces) {
                doomed.addAll(index.inNamespace(namespace));
            }
            Set<ObjectIndex.Entry> done = new HashSet<>();
            for (ObjectIndex.Entry e : doomed) {
                if (done.add(e)) {
                    String path = objectPath(Json.read(e.json), e.plural);
                    markOrRemove(path, getKey(path), e.key);
                }
            }
        }
    }

    /** Kubernetes collects a dependent when none of its owners exists any more. */
    private boolean allOwnersGone(ObjectIndex.Entry dependent, Set<String> goneUids) {
        for (String owner : dependent.owners) {
            if (!goneUids.contains(owner) && index.uidExists(owner)) {
                return false;
            }
        }
        return !dependent.owners.isEmpty();
    }

    private static String attribute(AttributeSet key, String name) {
        Attribute a = key.getAttribute(name);
        return a == null || a.getValues().isEmpty() ? null : a.getValues().get(0).toString();
    }

    /** The REST path of an object: {@code /apis/<group>/<version>[/namespaces/<ns>]/<plural>/<name>}. */
    static String objectPath(JsonNode object, String plural) {
        return collectionPath(object, plural) + "/" + object.path("metadata").path("name").asText();
    }

    static String collectionPath(JsonNode object, String plural) {
        String apiVersion = object.path("apiVersion").asText();
        String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        String namespace = object.path("metadata").path("namespace").asText("");
        return prefix + (namespace.isEmpty() ? "" : "/namespaces/" + namespace) + "/" + plural;
    }

    /** Every stored object, read consistently (no write in progress). */
    Snapshot snapshot() {
        synchronized (writes) {
            List<StoredObject> objects = new ArrayList<>();
            synchronized (map) {
                for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
                    objects.add(new StoredObject(attribute(e.getKey(), KubernetesAttributesExtractor.PLURAL), e.getValue()));
                }
            }
            // taking a number costs one resourceVersion, and tells where the counter stands
            return new Snapshot(requestResourceVersion(), objects);
        }
    }

    /** All stored objects of a resource (read side, for discovery and printing). */
    List<JsonNode> objectsOf(String plural) {
        List<String> jsons = new ArrayList<>();
        Lock read = lock.readLock();
        read.lock();
        try {
            index.ofResource(plural, e -> jsons.add(e.json));
        } finally {
            read.unlock();
        }
        List<JsonNode> out = new ArrayList<>(jsons.size());
        jsons.forEach(j -> out.add(Json.read(j)));
        return out;
    }

    int size() {
        return map.size();
    }

    /**
     * Loads a snapshot into an empty store, as it was: CRDs first (so their kinds are known), then
     * namespaces, then the rest; then moves the resourceVersion counter above everything restored, so
     * new writes never reuse a version a client may hold.
     */
    void restore(Snapshot snapshot) {
        synchronized (writes) {
            Lock write = lock.writeLock();
            write.lock();
            try {
                restoreLocked(snapshot);
            } finally {
                write.unlock();
            }
        }
    }

    private void restoreLocked(Snapshot snapshot) {
        List<StoredObject> ordered = new ArrayList<>(snapshot.objects());
        ordered.sort(Comparator.comparingInt(ObjectStore::restoreRank));
        long highest = snapshot.resourceVersion();
        for (StoredObject o : ordered) {
            JsonNode object = Json.read(o.json());
            String path = collectionPath(object, o.resource());
            processEvent(path, getKey(path), null, null, o.json());
            try {
                highest = Math.max(highest, Long.parseLong(object.path("metadata").path("resourceVersion").asText("0")));
            } catch (NumberFormatException e) {
                // a resourceVersion is opaque to clients; one that is not a number cannot collide with ours
            }
        }
        long now;
        do {
            now = requestResourceVersion();
        } while (now < highest);
        // restoring is not a change a watch reports: watches start from here
        history.clear();
        oldestServable = now;
        changed = false;
    }

    private static int restoreRank(StoredObject o) {
        if ("customresourcedefinitions".equals(o.resource())) {
            return 0;
        }
        return "namespaces".equals(o.resource()) ? 1 : 2;
    }
}
