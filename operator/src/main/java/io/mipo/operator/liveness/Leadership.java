package io.mipo.operator.liveness;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * When this replica started to lead (or, without leader election, started at all). Liveness needs
 * it because heartbeats taken before by other replicas may not all be known yet: a new leader gives
 * every scanner one offline-after window before it marks anything Offline.
 *
 * <p>The same holds after this process stood still (a stop-the-world pause, a frozen VM or node, a
 * starved CPU): while it did not run, its watches delivered nothing, so its view of heartbeats is as
 * stale as a new leader's; and it may no longer hold the Lease without knowing it yet. So a gap of
 * more than {@link #STALL} between two moments this process was seen running restarts the grace.
 * The gap is measured on the monotonic clock ({@link System#nanoTime}), not on {@link #clock}: a
 * pause is real time lost, whatever time the rest of liveness is told.
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);
    /** A gap this long between two signs of life (the liveness tick runs at least every second) is a stall. */
    static final Duration STALL = Duration.ofSeconds(5);

    private final AtomicReference<Instant> since = new AtomicReference<>();
    private final Object awakeLock = new Object();
    private long lastAwake;
    private boolean awakeBefore;
    private volatile long pausedAt;
    private volatile boolean paused;
    /** After a pause, how long a leader may not know yet that it lost the Lease (renew deadline + retries). */
    private volatile Duration unsureAfterPause = Duration.ZERO;
    private volatile boolean electing;
    private volatile boolean leading;
    Clock clock = Clock.systemUTC();
    LongSupplier nanoTime = System::nanoTime;
    ExitWatchdog exitWatchdog = new ExitWatchdog();

    void onStart(@Observes StartupEvent e) {
        if (!electing) {
            since.compareAndSet(null, clock.instant());
        }
    }

    /** Called when leader election is configured: leading starts only with {@link #startedLeading}. */
    void electionConfigured() {
        electing = true;
    }

    /** With leader election, after a pause this replica may have lost the Lease for up to {@code unsure} without knowing. */
    void unsureAfterPause(Duration unsure) {
        this.unsureAfterPause = unsure;
    }

    /**
     * True for a while after a pause of this process while it may have lost the Lease without knowing
     * yet (it exits when it finds out): writes that can wait, the refreshes of lastHeartbeatTime, wait,
     * so a deposed leader does not spend its refresh budget beside the new one.
     */
    public boolean unsureOfTheLease() {
        return paused && nanoTime.getAsLong() - pausedAt < unsureAfterPause.toNanos();
    }

    void startedLeading() {
        since.set(clock.instant());
        leading = true;
        LOG.info("This replica now leads: it runs the reconcilers and gives every scanner one offline-after window before marking it Offline");
    }

    /**
     * The Lease is lost (or given up at shutdown): the Operator SDK exits the process next, and the
     * {@link ExitWatchdog} halts it if that exit hangs.
     */
    void stoppedLeading() {
        leading = false;
        since.set(null);
        if (electing) {
            exitWatchdog.arm();
        }
    }

    /** True while this replica runs the reconcilers: it holds the Lease, or there is no election. */
    public boolean isLeader() {
        return !electing || leading;
    }

    /**
     * A sign of life (the liveness scheduler gives one four times a second, and every question about
     * the grace is one). After a gap longer than {@link #STALL} the grace starts again now.
     */
    public void awake() {
        long t = nanoTime.getAsLong();
        long gap = 0;
        synchronized (awakeLock) {
            if (awakeBefore) {
                gap = t - lastAwake;
            }
            if (!awakeBefore || gap > 0) {
                lastAwake = t;
            }
            awakeBefore = true;
        }
        if (gap > STALL.toNanos()) {
            pausedAt = t;
            paused = true;
            since.set(clock.instant());
            LOG.warnf("This process did not run for %.1f s (a pause or a frozen host): its view of heartbeats may be stale, "
                    + "so it marks nothing Offline for one offline-after", gap / 1e9);
        }
    }

    /** Until when nothing may be marked Offline. */
    public Instant graceUntil(Instant now, Duration offlineAfter) {
        awake();
        Instant s = since.updateAndGet(v -> v == null ? now : v);
        return s.plus(offlineAfter);
    }
}
