package io.mipo.operator.liveness;

import io.mipo.operator.credentials.CredentialIndex;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scanners that found the status-refresh budget spent come back spread over the time the budget
 * needs to go round the fleet, so a big fleet does not turn the budget into a reconcile storm.
 */
class RefreshBudgetRetryTest {

    private static LivenessStatusContributor withFleet(int registered) {
        LivenessStatusContributor status = new LivenessStatusContributor();
        status.credentials = new CredentialIndex() {
            @Override
            public int registeredCount() {
                return registered;
            }
        };
        return status;
    }

    private static final LivenessSettings SETTINGS = LivenessSettings.of(Duration.ofSeconds(30), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofSeconds(10), 30);

    /** Mean retry rate in reconciliations per second if every scanner of the fleet were waiting. */
    private static double retriesPerSecond(int fleet) {
        LivenessStatusContributor status = withFleet(fleet);
        long total = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Duration d = status.budgetRetry(SETTINGS);
            assertTrue(d.compareTo(Duration.ofSeconds(5)) >= 0, "never sooner than 5 s: " + d);
            total += d.toMillis();
        }
        double meanSeconds = total / 1000.0 / n;
        return fleet / meanSeconds;
    }

    @Test
    void aSmallFleetRetriesWithinHalfAMinute() {
        LivenessStatusContributor status = withFleet(10);
        for (int i = 0; i < 1_000; i++) {
            Duration d = status.budgetRetry(SETTINGS);
            assertTrue(d.compareTo(Duration.ofSeconds(5)) >= 0 && d.compareTo(Duration.ofSeconds(30)) <= 0, "retry after " + d);
        }
    }

    @Test
    void aBigFleetRetriesAtAboutTheRateTheBudgetServes() {
        // 30 refreshes a minute go round 10,000 scanners in 20,000 s; retries spread over that.
        double rate = retriesPerSecond(10_000);
        assertTrue(rate < 2.0, "10,000 waiting scanners would retry " + rate + " times a second");
        double small = retriesPerSecond(1_000);
        assertTrue(small < 2.0, "1,000 waiting scanners would retry " + small + " times a second");
    }
}
