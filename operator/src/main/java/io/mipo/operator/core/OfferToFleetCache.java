package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/**
 * The add and update filters of the reconcilers' own informers: they accept every event, and hand
 * the object the controller's informer has just cached to {@link SharedCopies}, so that the fleet
 * cache holds the same object for that version instead of a second decode. The informer calls its
 * handler (and so these filters) after it stored the object. Deletes are not offered: there is
 * nothing left to share.
 *
 * <p>Instantiated by the Operator SDK extension at build time (hence public, without state). Two
 * classes because the SDK's two filter interfaces cannot be implemented by one.
 */
public final class OfferToFleetCache {
    private OfferToFleetCache() {
    }

    /** Offers each object the controller's informer adds. */
    public static class OnAdd implements OnAddFilter<HasMetadata> {
        @Override
        public boolean accept(HasMetadata added) {
            SharedCopies.offerAny(added);
            return true;
        }
    }

    /** Offers each new version the controller's informer caches. */
    public static class OnUpdate implements OnUpdateFilter<HasMetadata> {
        @Override
        public boolean accept(HasMetadata updated, HasMetadata before) {
            SharedCopies.offerAny(updated);
            return true;
        }
    }
}
