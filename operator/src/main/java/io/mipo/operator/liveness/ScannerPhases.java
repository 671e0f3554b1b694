package io.mipo.operator.liveness;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the reconciler last decided for each scanner (on the leader; empty elsewhere), so that the
 * sweeper can tell which scanners' heartbeats now disagree with their status, and the gauge
 * {@code mipo_scanners{phase}} can count them. Summed over replicas, the gauge counts each scanner once.
 */
@Startup
@ApplicationScoped
public class ScannerPhases {

    /**
     * @param liveness      Pending, Active or Offline (before Disabled)
     * @param seenFacts     the agent facts of the heartbeats the decision was based on
     * @param lastRefresh   when lastHeartbeatTime/agent were last written by this replica (epoch ms; 0 = unknown)
     */
    public record Observed(Phase liveness, boolean disabled, AgentFacts seenFacts, long lastRefresh) {
        public Phase visible() {
            return LivenessRules.visible(liveness, disabled);
        }
    }

    @Inject
    MeterRegistry registry;

    private final Map<ScannerRef, Observed> observed = new ConcurrentHashMap<>();
    /**
     * The scanners whose decided liveness is Offline, kept beside {@link #observed} under its lock
     * for the same key: every heartbeat asks {@link #isOffline}, and a look-up in this set, small
     * while the fleet is healthy, stays in the processor's cache where one in the fleet-sized map
     * does not.
     */
    private final Set<ScannerRef> offline = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void gauges() {
        for (Phase p : Phase.values()) {
            Gauge.builder("mipo.scanners", this, s -> s.count(p))
                    .description("Scanners by phase, as decided by the leader")
                    .tag("phase", p.name())
                    .register(registry);
        }
    }

    public Optional<Observed> get(ScannerRef ref) {
        return Optional.ofNullable(observed.get(ref));
    }

    public void put(ScannerRef ref, Observed o) {
        observed.compute(ref, (r, before) -> {
            if (o.liveness() == Phase.Offline) {
                offline.add(r);
            } else {
                offline.remove(r);
            }
            return o;
        });
    }

    public void remove(ScannerRef ref) {
        observed.compute(ref, (r, before) -> {
            offline.remove(r);
            return null;
        });
    }

    /** A read-only view: changes go through {@link #put} and {@link #remove}, which keep the Offline set. */
    public Set<Map.Entry<ScannerRef, Observed>> entries() {
        return java.util.Collections.unmodifiableMap(observed).entrySet();
    }

    public long count(Phase visible) {
        long n = 0;
        for (Observed o : observed.values()) {
            if (o.visible() == visible) {
                n++;
            }
        }
        return n;
    }

    public boolean isOffline(ScannerRef ref) {
        return !offline.isEmpty() && offline.contains(ref);
    }
}
