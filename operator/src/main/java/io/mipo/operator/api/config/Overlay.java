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

    /** A written object, or a tombstone ({@code object == null}) for a deleted one. */
    record Entry<T>(T object, String resourceVersion, long expiresAtMillis) {
        boolean tombstone() {
            return object == null;
        }
    }

    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();

    void written(T object, long nowMillis) {
        entries.put(object.getMetadata().getName(),
                new Entry<>(object, object.getMetadata().getResourceVersion(), nowMillis + MAX_AGE_MILLIS));
    }

    void deleted(String name, String resourceVersion, long nowMillis) {
        entries.put(name, new Entry<>(null, resourceVersion, nowMillis + MAX_AGE_MILLIS));
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
        long earliest = 0;
        for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
            var kv = it.next();
            Entry<T> e = kv.getValue();
            if (e.expiresAtMillis() <= nowMillis) {
                it.remove();
                continue;
            }
            if (e.tombstone()) {
                byName.remove(kv.getKey());
            } else {
                byName.put(kv.getKey(), e.object());
            }
            earliest = earliest == 0 ? e.expiresAtMillis() : Math.min(earliest, e.expiresAtMillis());
        }
        return earliest;
    }

    int size() {
        return entries.size();
    }
}
