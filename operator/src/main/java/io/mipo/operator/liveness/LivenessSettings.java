package io.mipo.operator.liveness;

import io.mipo.operator.config.MipoConfig;

import java.time.Duration;

/**
 * The liveness timings, derived from configuration in one place.
 *
 * @param refreshAfter how old a ledger's record of a scanner may get before the replica rewrites
 *                     it with a newer heartbeat. Half of offline-after: the leader then always
 *                     learns of a live scanner's heartbeats well before it would call it Offline.
 * @param tick         how often a replica looks whether its ledger needs writing
 * @param urgentGap    least time between two ledger writes when a scanner comes back from Offline
 * @param regularGap   least time between two ledger writes otherwise (mipo.liveness.ledger-flush-interval)
 * @param sweep        how often the leader compares the merged heartbeats with the phases in status
 * @param retention    how long a scanner stays in a ledger after its last heartbeat
 */
public record LivenessSettings(Duration heartbeatInterval, Duration offlineAfter, Duration statusRefresh,
                               int statusRefreshBudget, Duration refreshAfter, Duration tick, Duration urgentGap,
                               Duration regularGap, Duration sweep, Duration retention) {

    public static LivenessSettings of(MipoConfig.Liveness c) {
        return of(c.heartbeatInterval(), c.offlineAfter(), c.statusRefresh(), c.ledgerFlushInterval(), c.statusRefreshBudget());
    }

    public static LivenessSettings of(Duration heartbeatInterval, Duration offlineAfter, Duration statusRefresh,
                                      Duration ledgerFlushInterval, int statusRefreshBudget) {
        Duration refreshAfter = offlineAfter.dividedBy(2);
        Duration tick = clamp(offlineAfter.dividedBy(8), Duration.ofMillis(50), Duration.ofSeconds(1));
        Duration urgentGap = tick;
        Duration regularGap = min(ledgerFlushInterval, offlineAfter.dividedBy(4));
        Duration sweep = clamp(offlineAfter.dividedBy(8), Duration.ofMillis(50), Duration.ofSeconds(5));
        Duration retention = max(offlineAfter.multipliedBy(3), Duration.ofMinutes(10));
        return new LivenessSettings(heartbeatInterval, offlineAfter, statusRefresh, Math.max(1, statusRefreshBudget),
                refreshAfter, tick, urgentGap, regularGap, sweep, retention);
    }

    private static Duration clamp(Duration d, Duration lo, Duration hi) {
        return max(lo, min(hi, d));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
