package io.mipo.operator.liveness;

import io.mipo.operator.model.Phase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LivenessRulesTest {
    private static final Duration OFFLINE_AFTER = Duration.ofMinutes(2);
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    private static Phase phase(Instant registered, Instant lastSeen, Instant now, Instant graceUntil, Phase previous) {
        return LivenessRules.phase(registered, lastSeen, now, OFFLINE_AFTER, graceUntil, previous).phase();
    }

    @Test
    void neverRegisteredIsPendingWhateverTheHeartbeats() {
        assertEquals(Phase.Pending, phase(null, T0, T0, null, null));
        assertEquals(Phase.Pending, phase(null, null, T0.plusSeconds(3600), null, Phase.Active));
    }

    @Test
    void aRegistrationCountsAsTheFirstHeartbeat() {
        assertEquals(Phase.Active, phase(T0, null, T0.plusSeconds(60), null, null));
        assertEquals(Phase.Active, phase(T0, T0.minusSeconds(600), T0.plusSeconds(60), null, null));
    }

    @Test
    void activeUpToOfflineAfterInclusiveThenOffline() {
        Instant last = T0.plusSeconds(30);
        assertEquals(Phase.Active, phase(T0, last, last.plus(OFFLINE_AFTER), null, Phase.Active));
        assertEquals(Phase.Offline, phase(T0, last, last.plus(OFFLINE_AFTER).plusMillis(1), null, Phase.Active));
        var v = LivenessRules.phase(T0, last, last.plusSeconds(10), OFFLINE_AFTER, null, Phase.Active);
        assertTrue(v.changesAt().isPresent() && v.changesAt().get().isAfter(last.plus(OFFLINE_AFTER)), v.toString());
        assertEquals(Phase.Active, phase(T0, last.plusSeconds(500), last.plusSeconds(501), null, Phase.Offline), "back within one heartbeat");
    }

    @Test
    void aNewLeaderMarksNothingOfflineDuringItsGraceButKeepsWhatWasOffline() {
        Instant last = T0;
        Instant now = T0.plusSeconds(600);
        Instant grace = now.plusSeconds(60);
        assertEquals(Phase.Active, phase(T0, last, now, grace, Phase.Active));
        assertEquals(Phase.Offline, phase(T0, last, now, grace, Phase.Offline));
        assertEquals(Phase.Active, LivenessRules.phase(T0, last, now, OFFLINE_AFTER, grace, Phase.Active).phase());
        assertEquals(grace, LivenessRules.phase(T0, last, now, OFFLINE_AFTER, grace, Phase.Active).changesAt().orElseThrow());
        assertEquals(Phase.Offline, phase(T0, last, grace, grace, Phase.Active), "grace over");
    }

    @Test
    void disabledWins() {
        assertEquals(Phase.Disabled, LivenessRules.visible(Phase.Active, true));
        assertEquals(Phase.Disabled, LivenessRules.visible(Phase.Pending, true));
        assertEquals(Phase.Offline, LivenessRules.visible(Phase.Offline, false));
    }
}
