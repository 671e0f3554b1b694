package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@link ObjectStore} finds its objects without looking at the others: every stored object by
 * (resource, namespace, name), by {@code label=value} within its resource, by uid, and by the uids
 * of its owners. A lookup yields <em>candidates</em>, a superset of the objects a request names; the
 * store then checks each candidate against the request's full selector (the mock server's own
 * matching), so the answers are exactly those of a scan, at the cost of the candidates only:
 * <ul>
 * <li>a get, create, update, patch or delete of one object: one candidate (more only when objects of
 *     several API groups share a resource name, namespace and name);</li>
 * <li>a list of a namespace: the objects of that resource in it;</li>
 * <li>a list with equality label selectors ({@code a=b}, {@code a==b}, as the operator's informers and
 *     lookups send them): the objects of the resource carrying the rarest of those labels;</li>
 * <li>garbage collection: the dependents of the deleted owners and the objects of a deleted namespace.</li>
 * </ul>
 * Not thread-safe: the store reads it under its read lock and changes it under its write lock.
 */
final class ObjectIndex {
    /** A stored object's identity and what the indexes file it under. Equal only to itself. */
    static final class Entry {
        final AttributeSet key;
        final String plural;
        final String namespace;
        final String name;
        final String uid;
        final List<String> owners;
        final List<String> labels;
        /** The stored JSON (the store's value under {@link #key}): lists read it here, not through a lookup of the key. */
        final String json;
        /** The next object with the same resource, namespace and name (another API group or version). */
        Entry sameName;

        Entry(AttributeSet key, String plural, String namespace, String name, String uid, List<String> owners, List<String> labels,
              String json) {
            this.key = key;
            this.json = json;
            this.plural = plural;
            this.namespace = namespace;
            this.name = name;
            this.uid = uid;
            this.owners = owners;
            this.labels = labels;
        }
    }

    /** The label requirements the mock server reads as equality ({@code a=b}, {@code a==b}, not {@code a!=b}). */
    private static final Pattern LABEL_EQUALS = Pattern.compile("([a-zA-Z0-9-_./]+)(==|(?<!!)=)([a-zA-Z0-9-_.]+)");
    static final String LABEL_PREFIX = "labels:";

    /** plural → namespace ("" for cluster-scoped objects) → name → objects. */
    private final Map<String, Map<String, Map<String, Entry>>> objects = new HashMap<>();
    /** plural → "label=value" → objects. */
    private final Map<String, Map<String, Set<Entry>>> labels = new HashMap<>();
    private final Map<String, Entry> byUid = new HashMap<>();
    /** owner uid → objects naming it in their ownerReferences. */
    private final Map<String, Set<Entry>> dependents = new HashMap<>();
    private int size;

    /** Candidates looked at, for tests: a get must not cost more with more objects stored. */
    final AtomicLong visits = new AtomicLong();

    int size() {
        return size;
    }

    /** Files a stored object; {@code object} is its JSON parsed (for uid, labels and owners), {@code json} as stored. */
    void add(AttributeSet key, JsonNode object, String json) {
        JsonNode meta = object.path("metadata");
        List<String> owners = new ArrayList<>(0);
        for (JsonNode owner : meta.path("ownerReferences")) {
            String uid = owner.path("uid").asText("");
            if (!uid.isEmpty()) {
                owners.add(uid);
            }
        }
        List<String> labelPairs = new ArrayList<>(meta.path("labels").size());
        meta.path("labels").fields().forEachRemaining(f -> labelPairs.add(f.getKey() + "=" + f.getValue().asText()));
        String plural = value(key, "plural");
        Entry e = new Entry(key, plural == null ? "" : plural, orEmpty(value(key, "namespace")), orEmpty(value(key, "name")),
                meta.path("uid").asText(""), List.copyOf(owners), List.copyOf(labelPairs), json);
        Map<String, Entry> names = objects.computeIfAbsent(e.plural, p -> new HashMap<>())
                .computeIfAbsent(e.namespace, n -> new HashMap<>());
        e.sameName = names.put(e.name, e);
        for (String l : e.labels) {
            labels.computeIfAbsent(e.plural, p -> new HashMap<>()).computeIfAbsent(l, x -> new HashSet<>()).add(e);
        }
        if (!e.uid.isEmpty()) {
            byUid.put(e.uid, e);
        }
        for (String owner : e.owners) {
            dependents.computeIfAbsent(owner, o -> new HashSet<>()).add(e);
        }
        size++;
    }

    /** Forgets the object stored under {@code key}; nothing when there is none. */
    void remove(AttributeSet key) {
        String plural = orEmpty(value(key, "plural"));
        String namespace = orEmpty(value(key, "namespace"));
        String name = orEmpty(value(key, "name"));
        Map<String, Map<String, Entry>> byNamespace = objects.get(plural);
        Map<String, Entry> names = byNamespace == null ? null : byNamespace.get(namespace);
        Entry head = names == null ? null : names.get(name);
        Entry previous = null;
        Entry e = head;
        while (e != null && !e.key.equals(key)) {
            previous = e;
            e = e.sameName;
        }
        if (e == null) {
            return;
        }
        if (previous != null) {
            previous.sameName = e.sameName;
        } else if (e.sameName != null) {
            names.put(name, e.sameName);
        } else {
            names.remove(name);
            if (names.isEmpty()) {
                byNamespace.remove(namespace);
            }
        }
        for (String l : e.labels) {
            Map<String, Set<Entry>> byLabel = labels.get(e.plural);
            Set<Entry> set = byLabel.get(l);
            set.remove(e);
            if (set.isEmpty()) {
                byLabel.remove(l);
            }
        }
        if (!e.uid.isEmpty() && byUid.get(e.uid) == e) {
            byUid.remove(e.uid);
        }
        for (String owner : e.owners) {
            Set<Entry> set = dependents.get(owner);
            if (set != null) {
                set.remove(e);
                if (set.isEmpty()) {
                    dependents.remove(owner);
                }
            }
        }
        size--;
    }

    /**
     * Hands {@code sink} every stored object that {@code query} (a request's attributes, from
     * {@code getKey(path)}) may match, each one counted in {@link #visits}; {@code path} is the request
     * path with its query string, for its label selector.
     */
    void candidates(AttributeSet query, String path, Consumer<Entry> sink) {
        String plural = with(query, "plural");
        if (plural == null) {
            // no resource in the path: every object may match (no request of the operator or kubectl does this)
            objects.values().forEach(byNs -> byNs.values().forEach(names -> names.values().forEach(e -> chain(e, sink))));
            return;
        }
        Map<String, Map<String, Entry>> byNamespace = objects.get(plural);
        if (byNamespace == null) {
            return;
        }
        String namespace = with(query, "namespace");
        if (namespace == null) {
            namespace = with(query, "metadata.namespace");
        }
        String name = with(query, "name");
        if (name == null) {
            name = with(query, "metadata.name");
        }
        if (name != null) {
            if (namespace != null) {
                Map<String, Entry> names = byNamespace.get(namespace);
                chain(names == null ? null : names.get(name), sink);
            } else {
                for (Map<String, Entry> names : byNamespace.values()) {
                    chain(names.get(name), sink);
                }
            }
            return;
        }
        Collection<Entry> best = null;
        Map<String, Entry> inNamespace = null;
        if (namespace != null) {
            inNamespace = byNamespace.get(namespace);
            if (inNamespace == null) {
                return;
            }
        }
        Map<String, Set<Entry>> byLabel = labels.getOrDefault(plural, Map.of());
        for (String pair : equalityLabels(query, path)) {
            Set<Entry> set = byLabel.get(pair);
            if (set == null) {
                return; // no object carries a label the query requires
            }
            if (best == null || set.size() < best.size()) {
                best = set;
            }
        }
        if (inNamespace != null && (best == null || inNamespace.size() < best.size())) {
            inNamespace.values().forEach(e -> chain(e, sink));
        } else if (best != null) {
            for (Entry e : List.copyOf(best)) {
                visits.incrementAndGet();
                sink.accept(e);
            }
        } else {
            for (Map<String, Entry> names : byNamespace.values()) {
                names.values().forEach(e -> chain(e, sink));
            }
        }
    }

    private void chain(Entry head, Consumer<Entry> sink) {
        for (Entry e = head; e != null; e = e.sameName) {
            visits.incrementAndGet();
            sink.accept(e);
        }
    }

    /** Every object of a resource (discovery reads the CRDs this way). */
    void ofResource(String plural, Consumer<Entry> sink) {
        Map<String, Map<String, Entry>> byNamespace = objects.get(plural);
        if (byNamespace != null) {
            for (Map<String, Entry> names : byNamespace.values()) {
                names.values().forEach(e -> chain(e, sink));
            }
        }
    }

    /** Every object in a namespace, of every resource (a deleted namespace's contents). */
    List<Entry> inNamespace(String namespace) {
        List<Entry> out = new ArrayList<>();
        for (Map<String, Map<String, Entry>> byNamespace : objects.values()) {
            Map<String, Entry> names = byNamespace.get(namespace);
            if (names != null) {
                names.values().forEach(e -> chain(e, out::add));
            }
        }
        return out;
    }

    /** The objects whose ownerReferences name {@code ownerUid}. */
    List<Entry> dependentsOf(String ownerUid) {
        Set<Entry> set = dependents.get(ownerUid);
        if (set == null) {
            return List.of();
        }
        visits.addAndGet(set.size());
        return List.copyOf(set);
    }

    boolean uidExists(String uid) {
        return byUid.containsKey(uid);
    }

    /**
     * The {@code label=value} pairs of the path's label selector that the query (as the mock server
     * parsed it) requires as equalities. Only those the query holds as such are used, so the index is
     * never narrower than the mock server's matching.
     */
    private static List<String> equalityLabels(AttributeSet query, String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return List.of();
        }
        String selector = null;
        for (String param : path.substring(q + 1).split("&")) {
            if (param.startsWith("labelSelector=")) {
                selector = URLDecoder.decode(param.substring("labelSelector=".length()), StandardCharsets.UTF_8);
            }
        }
        if (selector == null || selector.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String requirement : selector.split(",")) {
            Matcher m = LABEL_EQUALS.matcher(requirement.trim());
            if (m.matches() && m.group(3).equals(with(query, LABEL_PREFIX + m.group(1)))) {
                out.add(m.group(1) + "=" + m.group(3));
            }
        }
        return out;
    }

    /** The single value a query requires for {@code name} (a plain equality), or null. */
    static String with(AttributeSet query, String name) {
        Attribute a = query.getAttribute(name);
        if (a == null || a.getType() != AttributeType.WITH || a.getValues().size() != 1) {
            return null;
        }
        String v = a.getValues().get(0).toString();
        return v == null || "*".equals(v) ? null : v; // the mock's values treat "*" as a wildcard
    }

    private static String value(AttributeSet key, String name) {
        Attribute a = key.getAttribute(name);
        return a == null || a.getValues().isEmpty() ? null : a.getValues().get(0).toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
