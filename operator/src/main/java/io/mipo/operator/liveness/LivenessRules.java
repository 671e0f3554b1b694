package io.mipo.operator.liveness;

import io.mipo.operator.model.Phase;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The phase rules of docs/liveness.md, as pure functions. */
public final class LivenessRules {

    private LivenessRules() {
    }

    /** A liveness phase and, when it will change by itself with time, when. */
    public record Verdict(Phase phase, Optional<Instant> changesAt) {
    }

    /**
     * The liveness phase (Pending, Active or Offline; Disabled is applied on top by {@link #visible}).
     *
     * @param registeredAt when the agent registered with the credentials in force; null = never
     *                     (or re-provisioned and not registered since)
     * @param lastSeen     the latest heartbeat known from any replica; may be null or older than
     *                     registeredAt (a registration counts as a heartbeat)
     * @param graceUntil   until when a newly elected leader must not mark anything Offline; null = none
     * @param previous     the liveness phase shown before (kept during the grace period)
     */
    public static Verdict phase(Instant registeredAt, Instant lastSeen, Instant now, Duration offlineAfter,
                                Instant graceUntil, Phase previous) {
        if (registeredAt == null) {
            return new Verdict(Phase.Pending, Optional.empty());
        }
        Instant last = lastSeen == null || lastSeen.isBefore(registeredAt) ? registeredAt : lastSeen;
        Instant deadline = last.plus(offlineAfter);
        if (!now.isAfter(deadline)) {
            return new Verdict(Phase.Active, Optional.of(deadline.plusMillis(1)));
        }
        if (graceUntil != null && now.isBefore(graceUntil)) {
            Phase held = previous == Phase.Offline ? Phase.Offline : Phase.Active;
            return new Verdict(held, held == Phase.Active ? Optional.of(graceUntil) : Optional.empty());
        }
        return new Verdict(Phase.Offline, Optional.empty());
    }

    /** Disabled wins over whatever the heartbeats say. */
    public static Phase visible(Phase liveness, boolean disabled) {
        return disabled ? Phase.Disabled : liveness;
    }
}
