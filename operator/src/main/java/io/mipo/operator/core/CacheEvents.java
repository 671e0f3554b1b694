package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

import java.util.HashSet;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * An event source for a reconciler, fed by a kind of the fleet cache ({@link FleetCache}) instead
 * of an informer of its own: the process keeps one cache per kind, however many reconcilers react
 * to that kind (each informer holds its own copy of every object, which at 100,000 Scanners is
 * hundreds of megabytes per copy). Each add, delete and (filtered) update of a cached object is
 * mapped to the primaries it concerns, and those the reconciler's own cache holds are reconciled.
 *
 * <p>A reconciler that reads the fleet cache during reconciliation must wait for its first list
 * ({@link KindCache#hasSynced()}) before concluding that an object does not exist, and look again
 * shortly (a rescheduled reconciliation): changes that arrive before the controller runs are not
 * passed on, its first reconciliation of every primary covers them.
 */
public final class CacheEvents {
    private CacheEvents() {
    }

    /**
     * @param onUpdate which updates matter, given (newer, older); adds and deletes always do
     * @param toPrimaries the primaries an object concerns; for an update, those of the older and the
     *                    newer state are both reconciled
     */
    public static <T extends HasMetadata, P extends HasMetadata> SimpleInboundEventSource<P> source(
            String name, KindCache<T> cache, IndexerResourceCache<P> primaries,
            BiPredicate<T, T> onUpdate, Function<T, Set<ResourceID>> toPrimaries) {
        SimpleInboundEventSource<P> source = new SimpleInboundEventSource<>(name);
        cache.addListener(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                if (running()) {
                    fire(toPrimaries.apply(obj));
                }
            }

            @Override
            public void onUpdate(T older, T newer) {
                if (!running() || !onUpdate.test(newer, older)) {
                    return;
                }
                Set<ResourceID> ids = new HashSet<>(toPrimaries.apply(newer));
                ids.addAll(toPrimaries.apply(older));
                fire(ids);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (running()) {
                    fire(toPrimaries.apply(obj));
                }
            }

            /**
             * Not before the controller started: the fleet cache may replay its objects while the
             * controller registers, when the primary cache (which mappers read) is not set up yet.
             * The first reconciliation of every primary at start covers what is skipped here.
             */
            private boolean running() {
                return source.isRunning();
            }

            private void fire(Set<ResourceID> ids) {
                for (ResourceID id : ids) {
                    // The Operator SDK expects events only for primaries its cache holds.
                    if (primaries.get(id).isPresent()) {
                        source.propagateEvent(id);
                    }
                }
            }
        });
        return source;
    }
}
