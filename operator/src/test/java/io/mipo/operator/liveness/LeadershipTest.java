package io.mipo.operator.liveness;

import org.junit.jupiter.api.Test;

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
}
