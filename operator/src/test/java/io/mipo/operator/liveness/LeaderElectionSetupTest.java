package io.mipo.operator.liveness;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.mipo.operator.config.MipoConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Operator SDK's leader-election settings as mipo builds them (docs/operations.md, "Leader election"). */
class LeaderElectionSetupTest {

    private static MipoConfig.LeaderElection settings(Duration lease, Duration renew, Duration retry) {
        return new MipoConfig.LeaderElection() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String leaseName() {
                return "mipo-scanner-operator";
            }

            @Override
            public Duration leaseDuration() {
                return lease;
            }

            @Override
            public Duration renewDeadline() {
                return renew;
            }

            @Override
            public Duration retryPeriod() {
                return retry;
            }
        };
    }

    private static final LeaderCallbacks NOTHING = new LeaderCallbacks(() -> { }, () -> { }, leader -> { });

    @Test
    void aReplicaThatLosesTheLeaseExitsInsteadOfReconcilingBesideTheNewLeader() {
        LeaderElectionConfiguration c = LeaderElectionSetup.configuration(
                settings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)), "mipo-system", "pod-a", NOTHING);
        assertTrue(c.isExitOnStopLeading(), "a replica that stopped leading must exit: the Operator SDK does not stop "
                + "its reconcilers when the Lease is lost, so it would write status beside the new leader");
        assertEquals("mipo-scanner-operator", c.getLeaseName());
        assertEquals(Optional.of("mipo-system"), c.getLeaseNamespace());
        assertEquals(Optional.of("pod-a"), c.getIdentity());
    }

    @Test
    void theLeaseTimingsAreTheConfiguredOnes() {
        LeaderElectionConfiguration c = LeaderElectionSetup.configuration(
                settings(Duration.ofSeconds(8), Duration.ofSeconds(6), Duration.ofSeconds(1)), "default", "replica-b", NOTHING);
        assertEquals(Duration.ofSeconds(8), c.getLeaseDuration());
        assertEquals(Duration.ofSeconds(6), c.getRenewDeadline());
        assertEquals(Duration.ofSeconds(1), c.getRetryPeriod());
    }

    @Test
    void timingsThatCannotWorkAreRefusedNamingTheKeys() {
        IllegalArgumentException renewTooLong = assertThrows(IllegalArgumentException.class, () -> LeaderElectionSetup.configuration(
                settings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)), "default", "a", NOTHING));
        assertTrue(renewTooLong.getMessage().contains("lease-duration") && renewTooLong.getMessage().contains("renew-deadline"),
                renewTooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LeaderElectionSetup.configuration(
                settings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)), "default", "a", NOTHING));
        assertThrows(IllegalArgumentException.class, () -> LeaderElectionSetup.configuration(
                settings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ZERO), "default", "a", NOTHING));
    }
}
