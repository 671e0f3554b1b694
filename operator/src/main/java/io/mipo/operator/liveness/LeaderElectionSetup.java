package io.mipo.operator.liveness;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.mipo.operator.config.MipoConfig;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Leader election for the reconcilers (the Operator SDK looks this bean up). It is in effect only
 * in the profiles listed in {@code quarkus.operator-sdk.activate-leader-election-for-profiles}
 * (fixed at build time; default {@code prod}), when {@code mipo.leader-election.enabled} is true
 * (default) and outside standalone mode. Every replica keeps taking heartbeats and flushing its
 * ledger; only the leader merges the ledgers and writes Scanner status.
 */
@ApplicationScoped
public class LeaderElectionSetup {
    private static final Logger LOG = Logger.getLogger(LeaderElectionSetup.class);

    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration leaderElection(MipoConfig config, OperatorIdentity identity, Leadership leadership) {
        if (config.standalone() || !config.leaderElection().enabled()) {
            LOG.info("Leader election is off: this replica runs the reconcilers");
            return null;
        }
        leadership.electionConfigured();
        MipoConfig.LeaderElection le = config.leaderElection();
        leadership.unsureAfterPause(le.renewDeadline().plus(le.retryPeriod().multipliedBy(2)));
        LOG.infof("Leader election on: lease %s/%s, identity %s, lease duration %s, renew deadline %s, retry period %s",
                identity.namespace(), le.leaseName(), identity.replicaId(), le.leaseDuration(), le.renewDeadline(), le.retryPeriod());
        return configuration(le, identity.namespace(), identity.replicaId(), new LeaderCallbacks(leadership::startedLeading,
                leadership::stoppedLeading, leader -> LOG.infof("Current leader: %s", leader)));
    }

    /**
     * The Operator SDK's election settings. A replica that stops leading exits, so that it never
     * reconciles beside the new leader: the Operator SDK version used (5.3) keeps reconciling after
     * the Lease is lost when built with {@code LeaderElectionConfigurationBuilder.build()} (it sets
     * {@code exitOnStopLeading} false; fixed upstream later), hence the explicit constructor.
     */
    static LeaderElectionConfiguration configuration(MipoConfig.LeaderElection le, String namespace, String replicaId,
                                                     LeaderCallbacks callbacks) {
        Duration lease = le.leaseDuration();
        Duration renew = le.renewDeadline();
        Duration retry = le.retryPeriod();
        if (retry.isNegative() || retry.isZero() || renew.compareTo(retry.multipliedBy(12).dividedBy(10)) <= 0
                || lease.compareTo(renew) <= 0) {
            throw new IllegalArgumentException("mipo.leader-election: lease-duration (" + lease + ") must exceed renew-deadline ("
                    + renew + "), which must exceed 1.2 x retry-period (" + retry + ")");
        }
        return new LeaderElectionConfiguration(le.leaseName(), namespace, lease, renew, retry, replicaId, callbacks, true);
    }
}
