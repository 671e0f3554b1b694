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
        observed.put(ref, o);
    }

    public void remove(ScannerRef ref) {
        observed.remove(ref);
    }

    public Set<Map.Entry<ScannerRef, Observed>> entries() {
        return observed.entrySet();
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
        Observed o = observed.get(ref);
        return o != null && o.liveness() == Phase.Offline;
    }
}
