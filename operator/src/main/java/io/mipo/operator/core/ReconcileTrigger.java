package io.mipo.operator.core;

import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.mipo.operator.model.Scanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Optional;

/**
 * How a feature asks the Scanner reconciler to look at one scanner now: an event source through
 * which a phase change seen in the heartbeats (liveness), a registration or a revoked key
 * (credentials) or a membership change (group) reconciles that one scanner. Also read access to
 * the reconciler's Scanner cache for the ingest API: the Operator SDK (5.3) starts every
 * controller's event sources, informers included, on every replica and only holds back event
 * processing until a replica leads, so this cache is filled on followers too.
 */
@ApplicationScoped
public class ReconcileTrigger implements ScannerLookup {
    private volatile SimpleInboundEventSource<Scanner> source;
    private volatile IndexerResourceCache<Scanner> cache;

    /** Called from {@code ScannerReconciler.prepareEventSources}. */
    public EventSource<?, Scanner> eventSource(EventSourceContext<Scanner> context) {
        SimpleInboundEventSource<Scanner> s = new SimpleInboundEventSource<>("liveness");
        this.cache = context.getPrimaryCache();
        this.source = s;
        return s;
    }

    /**
     * Asks for a reconciliation of the scanner; a no-op where reconcilers do not run, and for a
     * scanner that is not (or no longer) in the cache: the Operator SDK does not expect events for those.
     */
    public void fire(ScannerRef ref) {
        SimpleInboundEventSource<Scanner> s = source;
        IndexerResourceCache<Scanner> c = cache;
        ResourceID id = new ResourceID(ref.name(), ref.namespace());
        if (s != null && c != null && c.get(id).isPresent()) {
            s.propagateEvent(id);
        }
    }

    void credentialsChanged(@Observes CredentialsChanged change) {
        fire(change.ref());
    }

    /** The scanner as cached by the reconciler's informer; empty when unknown or not cached yet. */
    @Override
    public Optional<Scanner> scanner(ScannerRef ref) {
        IndexerResourceCache<Scanner> c = cache;
        return c == null ? Optional.empty() : c.get(new ResourceID(ref.name(), ref.namespace()));
    }

    /** False only when the cache is running and does not hold the scanner. */
    public boolean mayExist(ScannerRef ref) {
        IndexerResourceCache<Scanner> c = cache;
        return c == null || c.get(new ResourceID(ref.name(), ref.namespace())).isPresent();
    }
}
