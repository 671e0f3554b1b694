package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One object in memory for each version of a custom resource that two caches of the process hold.
 *
 * <p>A kind with a reconciler is cached twice: by the Operator SDK's informer of that controller and
 * by the {@link FleetCache}'s informer (the SDK's cannot be read or listened to from outside the
 * controller). Each informer decodes every object it lists or watches, so each version of a Scanner
 * would sit in memory twice. The fleet cache's informers keep their objects in a {@link #newStore()
 * store} of this class; the controller's informer hands every object it caches to {@link #offer}
 * (through {@link OfferToFleetCache}, a filter that accepts everything), and the store looks in the
 * controller's cache ({@link #lookIn}) for a version nobody offered. Whichever informer sees a
 * version second ends up holding the first one's object when their resourceVersions (and uids) are
 * equal: the API server's resourceVersion names one content of one object, so the two decodes are
 * equal and either one can stand for both.
 *
 * <p>Both caches' objects are read-only by contract (the Operator SDK hands reconcilers a clone of
 * its cached primary resource, and {@link KindCache}'s readers must not modify what it returns), so
 * sharing one is safe.
 *
 * <p>An offer the fleet cache has not caught up with yet (the controller's informer saw the version
 * first, perhaps several versions ahead) waits in {@link #offered} until the fleet cache's store puts
 * that version, or until a later offer of the key is taken or replaces it, or the key is removed. So
 * at most one object per key waits, and only while the two informers disagree; past
 * {@link #OFFERS_WAITING_AT_MOST} the waiting offers are forgotten (a late offer for an object deleted
 * meanwhile would otherwise wait for good).
 */
public final class SharedCopies<T extends HasMetadata> {
    private static final Map<Class<?>, SharedCopies<?>> KINDS = new ConcurrentHashMap<>();

    private final Map<String, T> offered = new ConcurrentHashMap<>();
    /** The controller's cache by {@code namespace/name}, once its controller prepared its event sources. */
    private volatile Function<String, T> controllerCache = key -> null;
    /**
     * Set by the first offer: the controller's informer is running, so its cache can answer. Before
     * that a look-up would only fail (the SDK's cache throws until its informers start), once per
     * object of the fleet cache's first list.
     */
    private volatile boolean controllerRunning;
    private final List<Store> stores = new CopyOnWriteArrayList<>();
    private final LongAdder shared = new LongAdder();

    /** The registry of one kind; the same instance for the life of the process. */
    @SuppressWarnings("unchecked")
    public static <T extends HasMetadata> SharedCopies<T> of(Class<T> kind) {
        return (SharedCopies<T>) KINDS.computeIfAbsent(kind, k -> new SharedCopies<>());
    }

    /** Offers {@code obj} to the registry of its own class. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void offerAny(HasMetadata obj) {
        ((SharedCopies) KINDS.computeIfAbsent(obj.getClass(), k -> new SharedCopies<>())).offer(obj);
    }

    /** A registry on its own, for tests. */
    static <T extends HasMetadata> SharedCopies<T> standalone() {
        return new SharedCopies<>();
    }

    /**
     * The object of another cache: a store that holds the same version of it from now on holds
     * {@code obj} instead of its own decode of it.
     */
    public void offer(T obj) {
        if (obj == null || obj.getMetadata() == null) {
            return;
        }
        controllerRunning = true;
        String key = Cache.metaNamespaceKeyFunc(obj);
        for (Store s : stores) {
            if (s.takeIfSame(key, obj)) {
                offered.remove(key);
                return;
            }
        }
        if (stores.isEmpty()) {
            return; // no fleet cache yet: when it lists, its store finds the object through lookIn
        }
        if (offered.size() >= OFFERS_WAITING_AT_MOST) {
            // Offers of keys no store will put again (a late offer for an object deleted meanwhile)
            // must not pile up: forget them all; lookIn still finds what the controller holds.
            offered.clear();
        }
        offered.put(key, obj);
        // A store may have put this version between the look above and the offer: look again. The
        // store looks at the offers after its own put in turn, so one of the two sees the other.
        for (Store s : stores) {
            if (s.takeIfSame(key, obj)) {
                offered.remove(key, obj);
                return;
            }
        }
    }

    /** How many offers may wait for their store at once; normally a handful, while the two informers disagree. */
    static final int OFFERS_WAITING_AT_MOST = 10_000;

    /**
     * The controller's cache of the kind, for the store to look in when it puts a version nobody
     * offered: the controller's informer may have cached it without calling its filters (an event
     * for a write of the Operator SDK's own, such as adding its finalizer, is not handed on), or before
     * the fleet cache started.
     */
    public void lookIn(IndexerResourceCache<T> cache) {
        controllerCache = key -> {
            int slash = key.indexOf('/');
            ResourceID id = slash < 0 ? new ResourceID(key) : new ResourceID(key.substring(slash + 1), key.substring(0, slash));
            try {
                return cache.get(id).orElse(null);
            } catch (RuntimeException notStarted) {
                return null; // the controller's informers are not running (yet): nothing to share
            }
        };
    }

    /** A new store for one informer of the fleet cache. */
    public ItemStore<T> newStore() {
        Store s = new Store();
        stores.add(s);
        return s;
    }

    /** Forgets a store whose informer stopped: offers no longer look at it. */
    public void release(ItemStore<T> store) {
        stores.remove(store);
        if (stores.isEmpty()) {
            offered.clear();
            controllerCache = key -> null;
            controllerRunning = false;
        }
    }

    /** How many times a store took another cache's object in place of its own. */
    public long sharedSoFar() {
        return shared.sum();
    }

    /** How many offers wait for their store. */
    int waiting() {
        return offered.size();
    }

    /** Same object at the same version: equal uids (a re-created object gets a new one) and resourceVersions. */
    static boolean sameVersion(HasMetadata a, HasMetadata b) {
        String rv = a.getMetadata().getResourceVersion();
        return rv != null && rv.equals(b.getMetadata().getResourceVersion())
                && Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid());
    }

    /** An informer's store: a concurrent map by {@code namespace/name}, as fabric8's own, that takes offered copies. */
    private final class Store implements ItemStore<T> {
        private final ConcurrentHashMap<String, T> items = new ConcurrentHashMap<>();

        @Override
        public String getKey(T obj) {
            return Cache.metaNamespaceKeyFunc(obj);
        }

        @Override
        public T put(String key, T obj) {
            T other = offered.get(key);
            if (other != null && other != obj && sameVersion(other, obj)) {
                offered.remove(key, other);
                shared.increment();
                return items.put(key, other);
            }
            // An offer of another version stays: it may be a newer one this store has yet to receive.
            T theirs = controllerRunning ? controllerCache.apply(key) : null;
            if (theirs != null && theirs != obj && sameVersion(theirs, obj)) {
                shared.increment();
                return items.put(key, theirs);
            }
            T before = items.put(key, obj);
            // An offer of this version may have come in since the look above (see offer).
            T late = offered.get(key);
            if (late != null && late != obj && sameVersion(late, obj) && items.replace(key, obj, late)) {
                offered.remove(key, late);
                shared.increment();
            }
            return before;
        }

        /** Holds {@code obj} in place of the cached object if that is the same version; true if it now holds {@code obj}. */
        boolean takeIfSame(String key, T obj) {
            boolean[] swapped = {false};
            T now = items.computeIfPresent(key, (k, cur) -> {
                if (cur != obj && sameVersion(cur, obj)) {
                    swapped[0] = true;
                    return obj;
                }
                return cur;
            });
            if (swapped[0]) {
                shared.increment();
            }
            return now == obj;
        }

        @Override
        public T remove(String key) {
            offered.remove(key);
            return items.remove(key);
        }

        @Override
        public Stream<String> keySet() {
            return items.keySet().stream();
        }

        @Override
        public Stream<T> values() {
            return items.values().stream();
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public T get(String key) {
            return items.get(key);
        }
    }
}
