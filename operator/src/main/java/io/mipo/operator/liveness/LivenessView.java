package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Optional;

/**
 * Read-only liveness for the REST facade ({@code lastHeartbeatAt}, the scanner health page): live
 * values from memory and the merged ledgers, fresher than {@code status.lastHeartbeatTime}, which is
 * refreshed only now and then to keep API writes low.
 *
 * <p>The one door from the facade into liveness: the facade shows what the Scanner's status says
 * today; to show fresher heartbeats, {@code api.config.ScannerViews} (and the health page) read
 * this bean and nothing else of {@code liveness}.
 */
@ApplicationScoped
public class LivenessView {
    @Inject
    Liveness liveness;

    /** The latest heartbeat known on this replica (its own or published by another replica). */
    public Optional<Instant> lastHeartbeat(String namespace, String name) {
        return liveness.sighting(new ScannerRef(namespace, name)).map(Sighting::lastSeen);
    }

    /** Grows whenever a last heartbeat may have changed; cheap enough to poll. */
    public long changes() {
        return liveness.changes();
    }

    /** Version, hostname, internal IP and source address from the latest heartbeat. */
    public Optional<AgentFacts> agent(String namespace, String name) {
        return liveness.sighting(new ScannerRef(namespace, name)).map(Sighting::facts);
    }

    /** Capabilities, host metrics and idle/scanning from the latest heartbeat this replica received. */
    public Optional<AgentReport> report(String namespace, String name) {
        return liveness.report(new ScannerRef(namespace, name));
    }
}
