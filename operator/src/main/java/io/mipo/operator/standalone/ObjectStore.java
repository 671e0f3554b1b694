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
import java.util.function.Supplier;

/**
 * The fabric8 mock server's CRUD store with what a long-running API server needs on top:
 * <ul>
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
    private WriteAheadLog wal;

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
        return write(() -> super.handleDelete(path));
    }

    /**
     * A JSON merge patch: read, merge (RFC 7386), write back as an update, all under the write lock,
     * so no other write can slip in between. A resourceVersion in the patch is a precondition.
     */
    MockResponse mergePatch(RecordedRequest request, JsonNode patch) {
        return write(() -> {
            MockResponse current = super.handleGet(pathOf(request.getPath()));
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
            response = operation.get();
            if (lastRemoved != null && response.code() < 300
                    && (response.getBody() == null || response.getBody().size() == 0)) {
                // an update that removed the last finalizer deleted the object; answer with its final state
                response.setBody(lastRemoved);
            }
            if (response.code() == 202) {
                response.setResponseCode(200); // the mock answers patches with 202; kube-apiserver with 200
            }
            collectGarbage();
            notify = changed;
            if (wal != null && changed) {
                try {
                    wal.commit();
                } catch (java.io.IOException e) {
                    wal.discard();
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
        if (creating && before == null && state != null) {
            // the mock's uids count from 1 in every process; restored objects would share them
            ObjectNode node = (ObjectNode) Json.read(state);
            String uid = UUID.randomUUID().toString();
            node.with("metadata").put("uid", uid);
            state = Json.write(node);
            if (resource != null) {
                resource.getMetadata().setUid(uid);
            }
            created = state;
        }
        super.processEvent(path, pathAttributes, oldAttributes, resource, state);
        if (Objects.equals(before, state)) {
            return;
        }
        changed = true;
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
            AttributeSet key = getAttributeExtractor().fromResource(state);
            if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                key = AttributeSet.merge(pathAttributes, key);
            }
            long rv = resourceVersionOf(Json.read(state));
            remember(new Change(rv, before == null ? "ADDED" : "MODIFIED", state, key));
            if (wal != null) {
                wal.put(attribute(key, KubernetesAttributesExtractor.PLURAL), state);
            }
        }
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
            List<String> doomed = new ArrayList<>();
            List<Map.Entry<AttributeSet, String>> entries;
            synchronized (map) {
                entries = new ArrayList<>(map.entrySet());
            }
            for (Map.Entry<AttributeSet, String> e : entries) {
                String json = e.getValue();
                boolean mayBeOwned = json.contains("\"ownerReferences\"") && goneUids.stream().anyMatch(json::contains);
                String namespace = attribute(e.getKey(), KubernetesAttributesExtractor.NAMESPACE);
                boolean inGoneNamespace = namespace != null && goneNamespaces.contains(namespace);
                if (!mayBeOwned && !inGoneNamespace) {
                    continue;
                }
                JsonNode object = Json.read(json);
                if (inGoneNamespace || allOwnersGone(object, goneUids, entries)) {
                    doomed.add(objectPath(object, attribute(e.getKey(), KubernetesAttributesExtractor.PLURAL)));
                }
            }
            for (String path : doomed) {
                super.handleDelete(path);
            }
        }
    }

    private static boolean allOwnersGone(JsonNode object, Set<String> goneUids, List<Map.Entry<AttributeSet, String>> entries) {
        JsonNode owners = object.path("metadata").path("ownerReferences");
        if (!owners.isArray() || owners.isEmpty()) {
            return false;
        }
        boolean ownedByGone = false;
        for (JsonNode owner : owners) {
            String uid = owner.path("uid").asText();
            if (goneUids.contains(uid)) {
                ownedByGone = true;
            } else if (entries.stream().anyMatch(e -> e.getValue().contains("\"uid\":\"" + uid + "\""))) {
                return false;
            }
        }
        return ownedByGone;
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
        List<JsonNode> out = new ArrayList<>();
        synchronized (map) {
            for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
                if (plural.equals(attribute(e.getKey(), KubernetesAttributesExtractor.PLURAL))) {
                    out.add(Json.read(e.getValue()));
                }
            }
        }
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
    }

    private static int restoreRank(StoredObject o) {
        if ("customresourcedefinitions".equals(o.resource())) {
            return 0;
        }
        return "namespaces".equals(o.resource()) ? 1 : 2;
    }
}
