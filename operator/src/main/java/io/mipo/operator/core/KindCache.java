package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The read cache of one kind: one informer per namespace the operator works in (or one for all
 * namespaces), shared by every reader of that kind in the process, with listeners in place of
 * per-reader informers. Objects handed out are the cache's own: never modify them.
 */
public final class KindCache<T extends HasMetadata> {
    private static final Logger LOG = Logger.getLogger(KindCache.class);
    static final String ALL = "*";

    private final String kind;
    private final List<ResourceEventHandler<T>> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, SharedIndexInformer<T>> informers;

    KindCache(String kind) {
        this.kind = kind;
    }

    /**
     * Adds a listener for every add, update and delete. Register before the cache starts (a
     * {@code @PostConstruct} or an earlier start-up observer) to see the initial list as adds; a
     * listener added later is told about the objects already cached as adds.
     */
    public void addListener(ResourceEventHandler<T> listener) {
        listeners.add(listener);
        Map<String, SharedIndexInformer<T>> i = informers;
        if (i != null) {
            i.values().forEach(inf -> inf.getStore().list().forEach(listener::onAdd));
        }
    }

    /** Called once by {@link FleetCache} with the started informers. */
    void started(Map<String, SharedIndexInformer<T>> byNamespace) {
        informers = Map.copyOf(byNamespace);
    }

    /** The one handler each informer has: hands every event to the listeners, in order. */
    ResourceEventHandler<T> fanOut() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                for (ResourceEventHandler<T> l : listeners) {
                    call(() -> l.onAdd(obj));
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                for (ResourceEventHandler<T> l : listeners) {
                    call(() -> l.onUpdate(oldObj, newObj));
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                for (ResourceEventHandler<T> l : listeners) {
                    call(() -> l.onDelete(obj, deletedFinalStateUnknown));
                }
            }

            private void call(Runnable r) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    // One reader's failure must not keep the others from the event.
                    LOG.errorf(e, "A listener of the %s cache failed", kind);
                }
            }
        };
    }

    /** True once every informer of this kind listed its objects. */
    public boolean hasSynced() {
        Map<String, SharedIndexInformer<T>> i = informers;
        return i != null && i.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The objects of every namespace, in no particular order. */
    public List<T> all() {
        Map<String, SharedIndexInformer<T>> i = informers;
        List<T> out = new ArrayList<>();
        if (i != null) {
            i.values().forEach(inf -> out.addAll(inf.getStore().list()));
        }
        return out;
    }

    /** How many objects are cached, in every namespace. */
    public int size() {
        Map<String, SharedIndexInformer<T>> i = informers;
        return i == null ? 0 : i.values().stream().mapToInt(inf -> inf.getStore().list().size()).sum();
    }

    private Indexer<T> indexer(String namespace) {
        Map<String, SharedIndexInformer<T>> i = informers;
        if (i == null) {
            return null;
        }
        SharedIndexInformer<T> inf = i.get(i.containsKey(ALL) ? ALL : namespace);
        return inf == null ? null : inf.getIndexer();
    }

    /** The objects of one namespace, in no particular order. */
    public List<T> list(String namespace) {
        Indexer<T> index = indexer(namespace);
        return index == null ? List.of() : byIndexConsistently(index, Cache.NAMESPACE_INDEX, namespace);
    }

    /**
     * {@code index.byIndex(name, key)}, but never while the informer is replacing an object. In
     * fabric8 7.5 an update takes the object out of its index entries and then puts it back under
     * the cache's lock, while {@code byIndex} reads without that lock: a reader in between misses an
     * object that exists before and after (the facade once answered a fresh create with 404 that
     * way). Reading under the same lock ({@code CacheImpl.getLockObject()}) closes the gap.
     */
    static <T extends HasMetadata> List<T> byIndexConsistently(Indexer<T> index, String indexName, String key) {
        if (index instanceof CacheImpl<T> cache) {
            synchronized (cache.getLockObject()) {
                return cache.byIndex(indexName, key);
            }
        }
        return index.byIndex(indexName, key);
    }

    public Optional<T> get(String namespace, String name) {
        Indexer<T> index = indexer(namespace);
        return index == null ? Optional.empty() : Optional.ofNullable(index.getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    /** The objects of one namespace an index of {@link FleetCache} files under {@code key}. */
    public List<T> byIndex(String namespace, String indexName, String key) {
        Indexer<T> index = indexer(namespace);
        return index == null ? List.of() : new ArrayList<>(byIndexConsistently(index, indexName, key));
    }

}
