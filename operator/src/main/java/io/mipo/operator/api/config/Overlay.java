package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The facade's own writes, laid over the informer cache until the watch delivers them, so that a
 * client reading right after its write sees it (read your own writes, as JOSDK does for its
 * primaries). An entry goes when the informer shows the same or a newer resourceVersion, when the
 * object's delete event arrives, or after {@link #MAX_AGE_MILLIS} at the latest.
 */
final class Overlay<T extends HasMetadata> {
    static final long MAX_AGE_MILLIS = 30_000;

    /** A written object, or a tombstone ({@code object == null}) for a deleted one; {@code uid} null when unknown. */
    record Entry<T>(T object, String uid, String resourceVersion, long expiresAtMillis) {
        boolean tombstone() {
            return object == null;
        }
    }

    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();

    void written(T object, long nowMillis) {
        entries.put(object.getMetadata().getName(),
                new Entry<>(object, object.getMetadata().getUid(), object.getMetadata().getResourceVersion(), nowMillis + MAX_AGE_MILLIS));
    }

    void deleted(String name, String resourceVersion, long nowMillis) {
        deleted(name, null, resourceVersion, nowMillis);
    }

    /** A tombstone for the object {@code uid} (when known): only another object under the name, or its deletion, lifts it. */
    void deleted(String name, String uid, String resourceVersion, long nowMillis) {
        entries.put(name, new Entry<>(null, uid, resourceVersion, nowMillis + MAX_AGE_MILLIS));
    }

    /** The informer saw this object: drop what it supersedes. */
    void observed(T object) {
        String name = object.getMetadata().getName();
        entries.computeIfPresent(name, (k, e) -> supersedes(object, e) ? null : e);
    }

    void observedDeletion(String name) {
        entries.remove(name);
    }

    private static boolean supersedes(HasMetadata seen, Entry<?> e) {
        if (seen.getMetadata().getDeletionTimestamp() != null) {
            return true;
        }
        if (e.tombstone() && e.uid() != null && seen.getMetadata().getUid() != null) {
            // After the delete, the same object can only come back marked for deletion: a newer version of
            // it without the mark (a write that crossed the delete) is stale, another uid is a new scanner.
            return !e.uid().equals(seen.getMetadata().getUid());
        }
        int c = compareVersions(seen.getMetadata().getResourceVersion(), e.resourceVersion());
        // A tombstone gives way only to a newer object (a scanner created again under the name).
        return e.tombstone() ? c > 0 : c >= 0;
    }

    /**
     * resourceVersions are opaque to clients, but every API server in use (etcd's revision, the
     * embedded server's counter) makes them increasing integers; anything else counts as "newer".
     */
    static int compareVersions(String seen, String written) {
        try {
            return Long.compare(Long.parseLong(seen), Long.parseLong(written));
        } catch (NumberFormatException | NullPointerException e) {
            return 1;
        }
    }

    /** Applies the live entries to {@code byName}; returns the earliest expiry left (0 when none). */
    long applyTo(Map<String, T> byName, long nowMillis) {
        return capture(nowMillis).applyTo(byName);
    }

    /**
     * The live entries as they are now (expired ones are dropped). A reader takes them BEFORE it
     * reads the informer cache: an entry the watch supersedes after the capture is still applied
     * (the cache read later holds what superseded it, and gives way only to what is as new), while
     * capturing after the read could miss both — the informer adding the object just after the read
     * and dropping the entry just before the capture.
     */
    Captured<T> capture(long nowMillis) {
        Map<String, Entry<T>> live = new java.util.HashMap<>();
        for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
            var kv = it.next();
            if (kv.getValue().expiresAtMillis() <= nowMillis) {
                it.remove();
            } else {
                live.put(kv.getKey(), kv.getValue());
            }
        }
        return new Captured<>(live);
    }

    /** Entries taken by {@link #capture}. */
    record Captured<T extends HasMetadata>(Map<String, Entry<T>> entries) {
        /**
         * Lays the entries over {@code byName} (the cache, read after the capture); an entry the
         * cache has caught up with gives way. Returns the earliest expiry (0 when none).
         */
        long applyTo(Map<String, T> byName) {
            long earliest = 0;
            for (var kv : entries.entrySet()) {
                Entry<T> e = kv.getValue();
                earliest = earliest == 0 ? e.expiresAtMillis() : Math.min(earliest, e.expiresAtMillis());
                T cached = byName.get(kv.getKey());
                if (cached != null && supersedes(cached, e)) {
                    continue;
                }
                if (e.tombstone()) {
                    byName.remove(kv.getKey());
                } else {
                    byName.put(kv.getKey(), e.object());
                }
            }
            return earliest;
        }
    }

    int size() {
        return entries.size();
    }

    // ---- one object at a time (the incremental index) ----

    /** The live entry of one name, or null; take it BEFORE reading the cache ({@link #capture} says why). */
    Entry<T> live(String name, long nowMillis) {
        Entry<T> e = entries.get(name);
        return e == null || e.expiresAtMillis() <= nowMillis ? null : e;
    }

    /** The object to show for one name: the cache's (read after {@link #live}) unless an entry it has not caught up with overrides it. */
    static <T extends HasMetadata> T resolve(Entry<T> entry, T cached) {
        if (entry == null || cached != null && supersedes(cached, entry)) {
            return cached;
        }
        return entry.object();
    }

    /** Drops the expired entries and returns their names (their objects must be looked at again). */
    java.util.List<String> expire(long nowMillis) {
        java.util.List<String> gone = new java.util.ArrayList<>();
        entries.forEach((name, e) -> {
            if (e.expiresAtMillis() <= nowMillis && entries.remove(name, e)) {
                gone.add(name);
            }
        });
        return gone;
    }

    /** The names with an entry (live or not yet dropped). */
    java.util.Set<String> names() {
        return java.util.Set.copyOf(entries.keySet());
    }

    /** When the earliest entry expires (epoch millis), 0 when there is none. */
    long earliestExpiry() {
        long earliest = 0;
        for (Entry<T> e : entries.values()) {
            earliest = earliest == 0 ? e.expiresAtMillis() : Math.min(earliest, e.expiresAtMillis());
        }
        return earliest;
    }
}
