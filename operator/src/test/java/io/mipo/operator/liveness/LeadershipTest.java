package io.mipo.operator.liveness;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What mipo_leader reports: 1 while this replica runs the reconcilers. */
class LeadershipTest {

    @Test
    void withoutElectionEveryReplicaLeads() {
        assertTrue(new Leadership().isLeader());
    }

    @Test
    void withElectionOnlyWhileHoldingTheLease() {
        Leadership l = new Leadership();
        l.electionConfigured();
        assertFalse(l.isLeader(), "a replica waiting for the Lease does not lead");
        l.startedLeading();
        assertTrue(l.isLeader());
        l.stoppedLeading();
        assertFalse(l.isLeader(), "a replica that lost the Lease no longer leads");
    }

    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(20);

    private static Leadership leadingSince(Instant t) {
        Leadership l = new Leadership();
        l.clock = Clock.fixed(t, ZoneOffset.UTC);
        l.electionConfigured();
        l.startedLeading();
        return l;
    }

    @Test
    void aNewLeaderMarksNothingOfflineForOneOfflineAfter() {
        Leadership l = leadingSince(T0);
        for (int s = 0; s <= 30; s++) {
            l.awake(T0.plusSeconds(s)); // the liveness tick's signs of life
        }
        assertEquals(T0.plus(OFFLINE_AFTER), l.graceUntil(T0.plusSeconds(30), OFFLINE_AFTER));
    }

    @Test
    void aPauseOfTheProcessRestartsTheGraceBecauseItsViewWentStale() {
        Leadership l = leadingSince(T0);
        for (int s = 0; s <= 30; s++) {
            l.awake(T0.plusSeconds(s));
        }
        // frozen for 25 s (SIGSTOP, a stop-the-world pause, a frozen VM): the first caller after it sees the gap
        Instant resumed = T0.plusSeconds(55);
        assertEquals(resumed.plus(OFFLINE_AFTER), l.graceUntil(resumed, OFFLINE_AFTER),
                "after a pause nothing may be marked Offline for one offline-after: watches delivered nothing meanwhile");
        l.awake(resumed.plusMillis(250));
        assertEquals(resumed.plus(OFFLINE_AFTER), l.graceUntil(resumed.plusSeconds(1), OFFLINE_AFTER),
                "the grace starts once, not again with every sign of life");
    }

    @Test
    void gapsUpToFiveSecondsAreNoPause() {
        Leadership l = leadingSince(T0);
        l.awake(T0);
        l.awake(T0.plus(Leadership.STALL));
        assertEquals(T0.plus(OFFLINE_AFTER), l.graceUntil(T0.plus(Leadership.STALL).plusMillis(100), OFFLINE_AFTER));
    }
}
