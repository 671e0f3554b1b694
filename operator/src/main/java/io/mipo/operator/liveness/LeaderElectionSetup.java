package io.mipo.operator.liveness;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.mipo.operator.config.MipoConfig;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

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
        LOG.infof("Leader election on: lease %s/%s, identity %s", identity.namespace(), config.leaderElection().leaseName(), identity.replicaId());
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(config.leaderElection().leaseName())
                .withLeaseNamespace(identity.namespace())
                .withIdentity(identity.replicaId())
                .withLeaderCallbacks(new LeaderCallbacks(leadership::startedLeading, leadership::stoppedLeading,
                        leader -> LOG.infof("Current leader: %s", leader)))
                .build();
    }
}
