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
 * (credentials) or a membership change (group) reconciles that one scanner, and the scanner lookup
 * of the ingest API and liveness, read from the fleet cache ({@link FleetCache}) like every other
 * reader. Events go only to scanners the reconciler's own cache holds: the Operator SDK expects
 * none for others.
 */
@ApplicationScoped
public class ReconcileTrigger implements ScannerLookup {
    @jakarta.inject.Inject
    FleetCache fleet;

    /** Every heartbeat looks its scanner up here: the fleet cache itself, not its client proxy (an application-scoped bean lives as long as this one). */
    @jakarta.annotation.PostConstruct
    void init() {
        fleet = io.quarkus.arc.ClientProxy.unwrap(fleet);
    }

    private volatile SimpleInboundEventSource<Scanner> source;
    private volatile IndexerResourceCache<Scanner> cache;

    /** Called from {@code ScannerReconciler.prepareEventSources}. */
    public EventSource<?, Scanner> eventSource(EventSourceContext<Scanner> context) {
        SimpleInboundEventSource<Scanner> s = new SimpleInboundEventSource<>("liveness");
        use(s, context.getPrimaryCache());
        return s;
    }

    void use(SimpleInboundEventSource<Scanner> source, IndexerResourceCache<Scanner> primaryCache) {
        this.cache = primaryCache;
        this.source = source;
    }

    /**
     * Asks for a reconciliation of the scanner; a no-op where reconcilers do not run, before the
     * controller's event sources have started (the primary cache cannot be read yet, and the start
     * reconciles every scanner anyway), and for a scanner that is not (or no longer) in the cache:
     * the Operator SDK does not expect events for those.
     */
    public void fire(ScannerRef ref) {
        SimpleInboundEventSource<Scanner> s = source;
        IndexerResourceCache<Scanner> c = cache;
        ResourceID id = new ResourceID(ref.name(), ref.namespace());
        if (s != null && c != null && s.isRunning() && c.get(id).isPresent()) {
            s.propagateEvent(id);
        }
    }

    void credentialsChanged(@Observes CredentialsChanged change) {
        fire(change.ref());
    }

    /** The scanner as the fleet cache holds it; empty when unknown or not cached yet. */
    @Override
    public Optional<Scanner> scanner(ScannerRef ref) {
        return fleet.scanners().get(ref.namespace(), ref.name());
    }

    /** False only when the fleet cache has listed the scanners and does not hold this one. */
    public boolean mayExist(ScannerRef ref) {
        return !fleet.scanners().hasSynced() || fleet.scanners().get(ref.namespace(), ref.name()).isPresent();
    }
}
