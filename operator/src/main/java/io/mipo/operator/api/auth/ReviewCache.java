package io.mipo.operator.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Review answers for a few seconds (Caffeine): a revoked RoleBinding or token stops working almost
 * at once, and the size bound evicts the least recently used entries one by one, so a flood of
 * distinct tokens can neither grow memory nor flush the answers of the callers that are real.
 * Time comes from the given clock, so tests move it.
 */
final class ReviewCache<K, V> {
    private final Cache<K, V> entries;
    private final boolean disabled;

    ReviewCache(Duration ttl, int maxEntries, Clock clock) {
        this.disabled = ttl.isZero();
        Ticker ticker = () -> clock.millis() * 1_000_000L;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(disabled ? Duration.ofNanos(1) : ttl)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    Optional<V> get(K key) {
        return disabled ? Optional.empty() : Optional.ofNullable(entries.getIfPresent(key));
    }

    void put(K key, V value) {
        if (!disabled) {
            entries.put(key, value);
        }
    }

    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
