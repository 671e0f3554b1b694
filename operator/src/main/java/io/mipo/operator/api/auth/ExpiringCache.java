package io.mipo.operator.api.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small map whose entries live for a fixed time. Review answers are cached for seconds only,
 * so a revoked RoleBinding or token stops working almost at once; the size bound keeps a flood
 * of distinct bad tokens from growing memory without limit.
 */
final class ExpiringCache<K, V> {
    private record Entry<V>(V value, long expiresAtMillis) {
    }

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;

    ExpiringCache(Duration ttl, int maxEntries, Clock clock) {
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    Optional<V> get(K key) {
        if (ttl.isZero()) {
            return Optional.empty();
        }
        Entry<V> e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.expiresAtMillis() <= clock.millis()) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    void put(K key, V value) {
        if (ttl.isZero()) {
            return;
        }
        long now = clock.millis();
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> e.expiresAtMillis() <= now);
            if (entries.size() >= maxEntries) {
                // Still full of live entries: start over rather than evict cleverly; the cost is
                // one more review per caller, never a wrong answer.
                entries.clear();
            }
        }
        entries.put(key, new Entry<>(value, now + ttl.toMillis()));
    }

    int size() {
        return entries.size();
    }
}
