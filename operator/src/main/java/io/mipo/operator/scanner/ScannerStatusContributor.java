package io.mipo.operator.scanner;

import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One part of a Scanner's status (liveness, credentials, binding summary, assignments). The
 * Scanner reconciler is the only writer of Scanner status: it rebuilds the status every pass by
 * asking each contributor, in {@link #order()}, to fill its part from what it observes, then writes
 * it only if it changed. Contributors are CDI beans; adding one needs no change to the reconciler.
 */
public interface ScannerStatusContributor {

    /** Lower runs first: one of the {@link Order} constants. */
    int order();

    /**
     * The order in which the reconciler asks the contributors, in one place. Validity and the
     * display name (0-99) come from the reconciler itself; a contributor may read what an earlier
     * one filled in.
     */
    final class Order {
        /** Phase and heartbeats: {@code liveness.LivenessStatusContributor}. */
        public static final int LIVENESS = 100;
        /** The pods of a DaemonSet scanner: {@code liveness.InstancesStatusContributor}. */
        public static final int INSTANCES = 150;
        /** Token and provisioning: {@code credentials.CredentialStatusContributor}. */
        public static final int CREDENTIALS = 200;
        /** The binding summary: {@code binding.BindingSummaryContributor}. */
        public static final int BINDING = 300;
        /** Group assignments and their rates: {@code group.AssignmentContributor}. */
        public static final int ASSIGNMENTS = 400;
        /** Uninstalled and outdated agents: {@code distribution.AgentLifecycleStatusContributor}. */
        public static final int AGENT_LIFECYCLE = 450;

        private Order() {
        }
    }

    /**
     * Fills this contributor's fields of {@code next} (which already holds the fields of the
     * contributors that ran before). {@code previous} is the status as read; never null.
     *
     * @return when this scanner should be looked at again even if nothing changes (e.g. the time
     *         it would go Offline), or empty
     */
    Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now);
}
