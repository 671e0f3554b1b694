package io.mipo.operator.liveness;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When this replica started to lead (or, without leader election, started at all). Liveness needs
 * it because heartbeats taken before by other replicas may not all be known yet: a new leader gives
 * every scanner one offline-after window before it marks anything Offline.
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private final AtomicReference<Instant> since = new AtomicReference<>();
    private volatile boolean electing;
    private volatile boolean leading;
    Clock clock = Clock.systemUTC();

    void onStart(@Observes StartupEvent e) {
        if (!electing) {
            since.compareAndSet(null, clock.instant());
        }
    }

    /** Called when leader election is configured: leading starts only with {@link #startedLeading}. */
    void electionConfigured() {
        electing = true;
    }

    void startedLeading() {
        since.set(clock.instant());
        leading = true;
        LOG.info("This replica now leads: it runs the reconcilers and gives every scanner one offline-after window before marking it Offline");
    }

    void stoppedLeading() {
        leading = false;
        since.set(null);
    }

    /** True while this replica runs the reconcilers: it holds the Lease, or there is no election. */
    public boolean isLeader() {
        return !electing || leading;
    }

    /** Until when nothing may be marked Offline. */
    public Instant graceUntil(Instant now, Duration offlineAfter) {
        Instant s = since.updateAndGet(v -> v == null ? now : v);
        return s.plus(offlineAfter);
    }
}
