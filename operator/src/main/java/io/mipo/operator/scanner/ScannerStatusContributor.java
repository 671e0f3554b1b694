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

    /** Lower runs first. Validation/phase basics are 0-99, liveness 100, credentials 200, binding 300, assignments 400. */
    int order();

    /**
     * Fills this contributor's fields of {@code next} (which already holds the fields of the
     * contributors that ran before). {@code previous} is the status as read; never null.
     *
     * @return when this scanner should be looked at again even if nothing changes (e.g. the time
     *         it would go Offline), or empty
     */
    Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now);
}
