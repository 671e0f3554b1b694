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
 */
@ApplicationScoped
public class LivenessView {
    @Inject
    Liveness liveness;

    /** The latest heartbeat known on this replica (its own or published by another replica). */
    public Optional<Instant> lastHeartbeat(String namespace, String name) {
        return liveness.sighting(new ScannerRef(namespace, name)).map(Sighting::lastSeen);
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
