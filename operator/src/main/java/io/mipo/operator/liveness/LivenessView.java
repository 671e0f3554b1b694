package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
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

    @Inject
    Leadership leadership;

    /**
     * Both are application-scoped: the instances behind their client proxies never change, and the
     * facade's index asks through this bean about every scanner whose heartbeat moved, so each call
     * goes to the instance directly instead of looking it up in its context again.
     */
    @jakarta.annotation.PostConstruct
    void resolve() {
        liveness = io.quarkus.arc.ClientProxy.unwrap(liveness);
        leadership = io.quarkus.arc.ClientProxy.unwrap(leadership);
    }

    /** The latest heartbeat known on this replica (its own or published by another replica). */
    public Optional<Instant> lastHeartbeat(String namespace, String name) {
        // The time alone: no agent facts filled in from the registration, as a whole sighting has.
        long at = liveness.lastSeen(new ScannerRef(namespace, name));
        return at <= 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
    }

    /** Now, on the clock liveness decides by (the times {@link #phase} gives are on it). */
    public Instant now() {
        return liveness.clock.instant();
    }

    /** Grows whenever a last heartbeat may have changed; cheap enough to poll. */
    public long changes() {
        return liveness.changes();
    }

    /**
     * The scanners whose last heartbeat may have moved since {@code from} (the {@code next} of the
     * previous answer; negative the first time), so a reader can look again at those only; when it
     * cannot be told ({@code everything}: a ledger restored, another replica's ledger moving
     * thousands at once, or the reader fell behind), every scanner must be looked at.
     */
    public MovedJournal.Moved movedSince(long from) {
        return liveness.movedSince(from);
    }

    /** Version, hostname, internal IP and source address from the latest heartbeat. */
    public Optional<AgentFacts> agent(String namespace, String name) {
        return liveness.sighting(new ScannerRef(namespace, name)).map(Sighting::facts);
    }

    /**
     * The phase the heartbeats give now, which Scanner status shows only once the leader has written
     * it: when many scanners change at once, phase changes wait their turn (docs/liveness.md, "Many
     * scanners at once"), so {@code status.phase} may lag by minutes. Active while the latest
     * heartbeat known here (or the registration) is at most offline-after old, Offline after that;
     * during a new leader's grace period, {@code shown} is kept. Empty when not registered
     * ({@code registeredAt} null): Pending and Disabled are the caller's to decide from the spec and status.
     *
     * @param registeredAt {@code status.registeredAt}, parsed
     * @param last         the latest heartbeat known here ({@link #lastHeartbeat}), null when none
     * @param shown        {@code status.phase}
     * @return the phase and, when it will change by itself with time, when (for a cache of rows)
     */
    public Optional<LivenessRules.Verdict> phase(Instant registeredAt, Instant last, Phase shown) {
        if (registeredAt == null || liveness.settings() == null) {
            return Optional.empty();
        }
        Instant now = liveness.clock.instant();
        Instant graceUntil = leadership.graceUntil(now, liveness.settings().offlineAfter());
        return Optional.of(LivenessRules.phase(registeredAt, last, now, liveness.settings().offlineAfter(), graceUntil,
                shown == Phase.Offline ? Phase.Offline : Phase.Active));
    }

    /** Capabilities, host metrics and idle/scanning from the latest heartbeat this replica received. */
    public Optional<AgentReport> report(String namespace, String name) {
        return liveness.report(new ScannerRef(namespace, name));
    }
}
