package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A namespace listing of the fleet cache never misses an object the informer is updating: fabric8's
 * cache takes an updated object out of its index and puts it back, and a listing in between once made
 * the facade answer a scanner it had just created with 404.
 */
class KindCacheReadsTest {
    private static final int UPDATES = 200_000;

    private static ConfigMap object(String name, long resourceVersion) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace("ns").withName(name)
                .withResourceVersion(Long.toString(resourceVersion)).endMetadata().build();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aListingDuringUpdatesAlwaysHoldsEveryObject() throws Exception {
        CacheImpl<ConfigMap> cache = new CacheImpl<>(Cache.NAMESPACE_INDEX, CacheImpl::metaNamespaceIndexFunc, CacheImpl::metaNamespaceKeyFunc);
        cache.put(object("steady", 1));
        cache.put(object("busy", 1));
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long rv = 2; rv < UPDATES; rv++) {
                cache.put(object("busy", rv));
            }
            done.set(true);
        }, "informer-like writer");
        writer.start();
        long reads = 0;
        long incomplete = 0;
        List<ConfigMap> sample = null;
        while (!done.get()) {
            List<ConfigMap> seen = KindCache.byIndexConsistently(cache, Cache.NAMESPACE_INDEX, "ns");
            reads++;
            if (seen.size() != 2) {
                incomplete++;
                sample = seen;
            }
        }
        writer.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(0, incomplete, incomplete + " of " + reads + " listings during " + UPDATES
                + " updates missed an object, e.g. " + (sample == null ? null : sample.stream().map(c -> c.getMetadata().getName()).toList()));
    }
}
